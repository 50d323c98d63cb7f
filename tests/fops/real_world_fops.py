"""Fop strings as real apps, SDKs and Qiniu's pages send them, each with where it came from.

Every string must lint ``ok`` or ``not emulated`` (docs/fops.md §6.6): a real string the
emulator calls a typo is a bug. Base64 arguments are kept as written at the source.
"""

from __future__ import annotations

NIGEL = "public Java pfop demo com.qiniu.examples.media.PersistenceFop (code index)"
PHP_DRM = "public PHP app, DRM() helper calling PersistentFop->execute (code index)"

CORPUS: tuple[tuple[str, str], ...] = (
    # avthumb
    ("avthumb/mp4/s/640x360/vb/1.25m", "qiniu/python-sdk examples/fops.py; qiniu/java-sdk examples/fops.java"),
    ("avthumb/mp4/ss/60/t/60", "heroyf/Qiniu-go clip.go"),
    ("avthumb/m3u8/noDomain/1/vb/500k/t/10", "pasca520/qiniu Dora/avthumb_hls.py"),
    ("avthumb/m3u8/segtime/15/video_240k", "segtime presets page (seg-presets in docs/fops.md); notify code 0"),
    ("avthumb/flash;avthumb/ipad_high;avthumb/iphone_high;avthumb/m3u8/segtime/10/preset/video_640k",
     "qiniu/ruby-sdk README"),
    ("avthumb/mp4/wmImage/aHR0cDovL3Rlc3QtMi5xaW5pdWRuLmNvbS9sb2dvLnBuZw==/wmText/d2Vsb3ZlcWluaXU="
     "/wmFontColor/cmVk/wmFontSize/60/wmGravityText/North|saveas/dGVzdDpzYW1wbGVfdGFyZ2V0Lm1wNA==",
     "https://developer.qiniu.com/dora/api/video-watermarking"),
    ("avthumb/mp4/ab/160k/ar/44100/acodec/libfaac/r/30/vb/2200k/vcodec/libx264/s/1280x720/autoscale/1/stripmeta/0",
     NIGEL),
    ("avthumb/m3u8/noDomain/1/segtime/60/vb/240k/pattern/cm9vbV8wMi9jc2MkKGNvdW50KQ==/hlsKey/Y2luZTEwN3Fpbml1MjEwMg=="
     "/hlsKeyUrl/aHR0cHM6Ly8xMDdjaW5lLmNvbS9xaW5pdS9rZXl1cmw=/hlsMethod/qiniu-protection-10", NIGEL),
    ("avthumb/m3u8/noDomain/1/vcodec/copy/acodec/copy/hlsKey/MTIzNDU2Nzg5MDEyMzQ1Ng==/hlsKeyUrl/d3d3Lmdvb2JpcmQuY29t"
     "/hlsMethod/qiniu-protection-10", PHP_DRM),
    ("avthumb/mp4/wmImage/aHR0cHM6Ly9xbi5rYWloZWlrZWppLmNvbS8lRTclOUYlQTIlRTklODclOEYlRTYlOTklQkElRTglODMlQkQlRTUlQUYl"
     "QjklRTglQjElQTFAMngucG5n/wmConstant/1|saveas/dGVtcDoxMC5tcDQ=", NIGEL),
    ("avthumb/mp4/wmImage/aHR0cDovL3gvYS5wbmc=/wmConstant/0", "a captured pfop of avthumb/mp4/.../wmConstant/0"),
    ("avthumb/mp4/multiArep/aHR0cDovL3RlbXAubmlnZWwucWluaXV0cy5jb20vZHRlc3QtYW9kaW8ubXAz", NIGEL),
    ("avthumb/m3u8/segtime/10/ab/60k/ar/44100/acodec/libfaac/r/30/h264Crf/28/vcodec/libx264/s/640x320/an/1"
     "/pattern/RVAwMi0wMSQoY291bnQp", NIGEL),
    ("avthumb/mp4/ss/0/t/7|avthumb/mp4/vn/1", NIGEL),
    ("avthumb/mp4|avthumb/gif/r/5", NIGEL),
    ("avthumb/gif/ss/3/t/1/r/4/s/180x320/autoscale/1", NIGEL),
    ("avthumb/mp3/ab/96k/ar/44100/acodec/libmp3lame|saveas/dGVtcDpkb3VndW8tbGl2ZTIwMTgwNTI0MTExMTExLm1wNA==", NIGEL),
    ("avthumb/m3u8/ab/64k/ar/22050/vn/1", NIGEL),
    ("avthumb/aac/ab/96k/ar/44100", NIGEL),
    # other audio/video ops
    ("adapt/m3u8/multiResolution/320:240,640:480,1280:720,1920:1080/envBandWidth/200000,800000,1700000,2400000"
     "/multiVb/200k,1200k,6500k,8500k/hlstime/10", NIGEL),
    ("avconcat/2/format/mp4/aHR0cDovL25pZ2VsLnFpbml1dHMuY29tL21laXBpYW5fZW5kdmlkZW9fMTI4MHg3MjAubXA0", NIGEL),
    ("vframe/jpg/offset/7/w/480/h/360|saveas/dGVtcDp0ZXN0LmpwZw==", NIGEL),
    ("vframe/jpg/offset/10/w/640/h/360", "https://blog.csdn.net/lsw8569013/article/details/53288466"),
    ("vsample/jpg/ss/7/t/180/s/480x360/interval/60/pattern/dmZyYW1lLSQoY291bnQp", NIGEL),
    ("avinfo", "qiniu/python-sdk tests/cases/test_services/test_processing/test_pfop.py; qiniu/java-sdk PfopTest"),
    ("pm3u8/0/expires/86400", "public usage quoted in docs/fops.md §9 (pm3u8)"),
    ("video-censor/v3/pulp/bucket/temp|saveas/dGVtcDpsdFNQN1hQYlBHdmlCTmpYaVpFSFg3bXBkbTZvLmpzb24=", NIGEL),
    ("avwatermarks/mp4/wmImage/aHR0cHM6Ly9zczIubWVpcGlhbi5tZS92aWRlby93YXRlci92aWRlb19sb2dvLmdpZg==/wmGravity/NorthWest",
     NIGEL),
    # images
    ("watermark/3/image/aHR0cHM6Ly9xbi5rYWloZWlrZWppLmNvbS8lRTclOUYlQTIlRTklODclOEYlRTYlOTklQkElRTglODMlQkQlRTUlQUYl"
     "QjklRTglQjElQTFAMngucG5n/gravity/North/dy/100/text/SUQ6MTIzNDU2Nzg=/fontsize/420/fill/I0ZGRkZGRg==/gravity/Center"
     "/dx/14", NIGEL),
    ("watermark/2/text/6aOe5bGP/font/5a6L5L2T/fontsize/500/fill/I0VGRUZFRg==/dissolve/84/gravity/SouthEast",
     "https://blog.csdn.net/lsw8569013/article/details/53288466"),
    ("imageMogr2/thumbnail/400x800>/extent/400x800/background/d2hpdGU=|watermark/1/image/"
     "aHR0cDovL3EzMjRxa2Z6MC5ia3QuY2xvdWRkbi5jb20vd2F0ZXIucG5n/dissolve/80/gravity/Center/dx/0/dy/0",
     "https://www.fecmall.com/topic/2320"),
    ("imageView2/1/w/750/h/530|watermark/1/image/aHR0cDovL29odjFxMjY0NC5ia3QuY2xvdWRkbi5jb20vaG91c2UvMjAyNzIwLzE5MC8x"
     "MjEveTd5enhseXBueW91ZjZscnhzdXNrbXM1bmEyZXdtaHUucG5n/gravity/Center",
     "https://blog.csdn.net/jiangguanghan/article/details/78293457"),
    ("imageView2/1/w/900/h/900", NIGEL),
    ("imageView2/1/w/250/h/141/|imageMogr2/strip/interlace/1/quality/85/format/jpg",
     "img.huxiucdn.com image URLs in a public page (code index)"),
    ("imageMogr2/strip/thumbnail/800x450>/quality/90!/interlace/1/format/jpg",
     "nzr2ybsda.qnssl.com (a Qiniu SSL domain) image URLs in public JSON (code index)"),
    ("imageMogr2/strip/auto-orient/thumbnail/1200x9000>/quality/90!/format/png",
     "user-assets.sxlcdn.com background URLs in public code (code index)"),
    ("imageInfo", "qiniu/java-sdk and go-sdk put-policy comments ($(imageInfo.width)); v6-info in docs/fops.md"),
    ("exif", "v6-exif in docs/fops.md"),
    ("imageAve", "v6-ave in docs/fops.md"),
    ("imageslim", "imageslim page in docs/fops.md §9"),
    ("roundPic/radius/!50p", "roundpic page in docs/fops.md §9"),
    ("image-censor/v2/pulp/politician/app/c3RyZWFtX2FpY29kZV9haS1zZXJ2ZXIvX2ltYWdl",
     "mylxsw/aidea-server TestUploadAuditCallback (a real notify)"),
    ("image-censor/v2/pulp/terror/politician", "a public callback sample of image-censor (code index)"),
    # documents, archives, hashes
    ("qhash/md5", "qiniu/java-sdk ResumeUploadTest; qiniu/go-sdk storage/resume_uploader_test.go"),
    ("mkzip/2/url/aHR0cDovL3BocHNkay5xaW5pdWRuLmNvbS9waHAtbG9nby5wbmc=/url/aHR0cDovL3BocHNkay5xaW5pdWRuLmNvbS9waHAtc2RrLmh0bWw=",
     "qiniu/php-sdk pfop test (php-pfop-test in docs/fops.md)"),
    ("mkzip/4/encoding/dXRmLTg=", "a status posted in a support dump (docs/fops.md §9, mkzip)"),
    ("concat/mimeType/dGV4dC9wbGFpbg==/aHR0cDovL3Rlc3QuY2xvdWRkbi5jb20vYi50eHQ=/aHR0cDovL3Rlc3QuY2xvdWRkbi5jb20vYy50eHQ=",
     "concat page example in docs/fops.md §9"),
    ("yifangyun_preview/v2/ext=pdf/action=get_page_count", "public usage quoted in docs/fops.md §9 (yifangyun)"),
)
