// Runs in a page on its own loopback origin, as a web app using qiniu-js would: uploads
// straight to the emulator's upload host, reads image info and exif, fetches fop URLs.
// Each step pushes {step, ok, detail} onto window.results; window.done ends the run.
'use strict';

const settings = JSON.parse(document.getElementById('settings').textContent);
window.results = [];

function config (extra) {
    return Object.assign({ uphost: settings.uphost, upprotocol: 'http', disableStatisticsReport: true,
        checkByServer: true, retryCount: 0 }, extra);
}

function upload (file, key, extra) {
    return new Promise((resolve, reject) => {
        qiniu.upload(file, key, settings.token, { fname: key }, config(extra))
            .subscribe({ next: () => {}, error: reject, complete: resolve });
    });
}

async function step (name, run) {
    try {
        const detail = await run();
        window.results.push({ step: name, ok: true, detail });
    } catch (err) {
        window.results.push({ step: name, ok: false, detail: String(err && (err.message || err.name) || err) });
    }
}

function expect (condition, detail) {
    if (!condition) throw new Error(JSON.stringify(detail));
    return detail;
}

async function imageWidth (url) {
    const answer = await fetch(url);
    expect(answer.ok, `HTTP ${answer.status}`);
    const bitmap = await createImageBitmap(await answer.blob());
    return bitmap.width;
}

async function run () {
    const photo = await (await fetch('photo.jpg')).blob();
    await step('form upload', async () => {
        const done = await upload(new File([photo], 'photo.jpg', { type: 'image/jpeg' }), 'photo.jpg',
            { forceDirect: true });
        return expect(done.key === 'photo.jpg', done);
    });
    await step('resumable v2 upload', async () => {
        const bytes = new Uint8Array(settings.bigSize);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
        const done = await upload(new File([bytes], 'big.bin'), 'big.bin', { chunkSize: 4 });
        return expect(done.key === 'big.bin', done);
    });
    await step('imageInfo', async () => {
        const info = (await qiniu.imageInfo('photo.jpg', settings.domain)).data;
        return expect(info.width === settings.width && info.height === settings.height, info);
    });
    await step('exif', async () => {
        const tags = (await qiniu.exif('photo.jpg', settings.domain)).data;
        return expect(tags.Make && tags.Make.val === settings.make, tags);
    });
    await step('imageMogr2 URL', async () => {
        const url = qiniu.imageMogr2({ thumbnail: '32x', format: 'png' }, 'photo.jpg', settings.domain);
        return expect(await imageWidth(url) === 32, url);
    });
    await step('watermark URL', async () => {
        const url = qiniu.watermark({ mode: 2, text: 'qiniu', fontsize: 400, fill: '#ffffff', gravity: 'SouthEast' },
            'photo.jpg', settings.domain);
        return expect(await imageWidth(url) === settings.width, url);
    });
    await step('pipeline URL', async () => {
        const url = qiniu.pipeline([{ fop: 'imageMogr2', thumbnail: '40x', format: 'png' },
            { fop: 'watermark', mode: 2, text: 'qiniu', gravity: 'Center' }], 'photo.jpg', settings.domain);
        return expect(await imageWidth(url) === 40, url);
    });
    await step('a bucket whose rules leave this page out is refused', async () => {
        try {
            await qiniu.imageInfo('photo.jpg', settings.refusedDomain);
        } catch (err) {
            return `refused: ${err.name || err}`;
        }
        throw new Error('the browser handed over the answer');
    });
    await step('the same bucket read by fetch() is refused too', async () => {
        try {
            await fetch(`${settings.refusedDomain}/photo.jpg`);
        } catch (err) {
            return `refused: ${err.name}`;
        }
        throw new Error('the browser handed over the answer');
    });
    window.done = true;
}

run();
