// Drive the official `qiniu` Node.js SDK through everything a Node user does against the
// emulator, and print one JSON line per step: {"step", "ok", "detail"}.
//
//   EMULATOR=127.0.0.1:19200 HTTPS=0 AK=... SK=... BUCKET=... OUT_BUCKET=... VIDEO=/path/clip.mp4 \
//   node steps.js
//
// HTTPS=1 makes every call go over https (the emulator's --tls port; trust its CA with
// NODE_EXTRA_CA_CERTS). The configuration is the one the README gives for Node:
// conf.UC_HOST for the uc calls and a conf.Zone naming the emulator for up, io, rs, rsf
// and api (pfop and prefop read only the zone).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const qiniu = require('qiniu');
const { report, callback, waitForJob } = require('./common');

const HOST = process.env.EMULATOR;
const SECURE = process.env.HTTPS === '1';
const BUCKET = process.env.BUCKET;
const OUT_BUCKET = process.env.OUT_BUCKET;
const SCHEME = SECURE ? 'https' : 'http';

qiniu.conf.UC_HOST = HOST;
const zone = new qiniu.conf.Zone([HOST], [HOST], HOST, HOST, HOST, HOST);
const config = new qiniu.conf.Config({ zone, useHttpsDomain: SECURE, regionsQueryResultCachePath: null });
const mac = new qiniu.auth.digest.Mac(process.env.AK, process.env.SK);
const bucketManager = new qiniu.rs.BucketManager(mac, config);
const operations = new qiniu.fop.OperationManager(mac, config);

async function step (name, run, check) {
    try {
        const result = await run();
        const problem = check(result);
        report(name, !problem, problem || summary(result));
    } catch (err) {
        report(name, false, String(err && err.stack || err));
    }
}

function summary (result) {
    if (result && result.resp) return { status: result.resp.statusCode, data: result.data };
    return result;
}

function expectStatus (code, extra) {
    return ({ data, resp }) => {
        if (!resp || resp.statusCode !== code) return `HTTP ${resp && resp.statusCode}: ${JSON.stringify(data)}`;
        return extra ? extra(data) : '';
    };
}

function png (width, height) {
    const table = Array.from({ length: 256 }, (_, n) => {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        return c >>> 0;
    });
    const crc = buf => {
        let c = 0xffffffff;
        for (const byte of buf) c = table[(c ^ byte) & 0xff] ^ (c >>> 8);
        return (c ^ 0xffffffff) >>> 0;
    };
    const chunk = (type, data) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type), data]);
        const sum = Buffer.alloc(4);
        sum.writeUInt32BE(crc(body));
        return Buffer.concat([length, body, sum]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;
    header[9] = 2;
    const rows = Buffer.alloc((width * 3 + 1) * height, 200);
    for (let y = 0; y < height; y++) rows[y * (width * 3 + 1)] = 0;
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

function uploadToken (key) {
    return new qiniu.rs.PutPolicy({ scope: `${BUCKET}:${key}` }).uploadToken(mac);
}

function download (url) {
    const client = url.startsWith('https:') ? https : http;
    return new Promise((resolve, reject) => {
        client.get(url, res => {
            const chunks = [];
            res.on('data', c => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
        }).on('error', reject);
    });
}

async function main () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'qiniu-node-'));
    const big = path.join(work, 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(5 * 1024 * 1024 + 123, 7));
    const form = new qiniu.form_up.FormUploader(config);
    const resume = new qiniu.resume_up.ResumeUploader(config);

    await step('form upload', () => {
        const extra = new qiniu.form_up.PutExtra();
        extra.params = { 'x:tag': 'node' };
        return form.put(uploadToken('form.txt'), 'form.txt', Buffer.from('hello node'), extra);
    }, expectStatus(200, data => (data.key === 'form.txt' ? '' : `key ${data.key}`)));
    await step('form upload image', () => form.put(uploadToken('photo.png'), 'photo.png', png(64, 48),
        new qiniu.form_up.PutExtra('photo.png', {}, 'image/png')), expectStatus(200));
    await step('form upload video', () => form.putFile(uploadToken('clip.mp4'), 'clip.mp4', process.env.VIDEO,
        new qiniu.form_up.PutExtra('clip.mp4', {}, 'video/mp4')), expectStatus(200));
    await step('resumable v1', () => resume.putFile(uploadToken('v1.bin'), 'v1.bin', big, new qiniu.resume_up.PutExtra()),
        expectStatus(200, data => (data.key === 'v1.bin' ? '' : JSON.stringify(data))));
    await step('resumable v2', () => {
        const extra = qiniu.resume_up.PutExtra.create();
        extra.partSize = 1024 * 1024;
        return resume.putFileV2(uploadToken('v2.bin'), 'v2.bin', big, extra);
    }, expectStatus(200, data => (data.key === 'v2.bin' ? '' : JSON.stringify(data))));

    await step('stat', () => bucketManager.stat(BUCKET, 'form.txt'),
        expectStatus(200, data => (data.fsize === 10 ? '' : `fsize ${data.fsize}`)));
    await step('list', () => bucketManager.listPrefix(BUCKET, { prefix: 'v', limit: 10 }),
        expectStatus(200, data => (data.items.map(i => i.key).join() === 'v1.bin,v2.bin' ? '' : JSON.stringify(data))));
    await step('copy', () => bucketManager.copy(BUCKET, 'form.txt', BUCKET, 'copy.txt', { force: true }), expectStatus(200));
    await step('move', () => bucketManager.move(BUCKET, 'copy.txt', BUCKET, 'moved.txt', { force: true }), expectStatus(200));
    await step('batch', () => bucketManager.batch([
        qiniu.rs.statOp(BUCKET, 'moved.txt'),
        qiniu.rs.copyOp(BUCKET, 'moved.txt', BUCKET, 'batch.txt', { force: true }),
        qiniu.rs.deleteOp(BUCKET, 'batch.txt')
    ]), expectStatus(200, data => (data.every(r => r.code === 200) ? '' : JSON.stringify(data))));
    await step('changeType', () => bucketManager.changeType(BUCKET, 'moved.txt', 1), expectStatus(200));
    await step('changeMime', () => bucketManager.changeMime(BUCKET, 'moved.txt', 'text/x-note'), expectStatus(200));
    await step('stat after changes', () => bucketManager.stat(BUCKET, 'moved.txt'),
        expectStatus(200, data => (data.type === 1 && data.mimeType === 'text/x-note' ? '' : JSON.stringify(data))));
    await step('delete', () => bucketManager.delete(BUCKET, 'moved.txt'), expectStatus(200));
    await step('delete a missing key', () => bucketManager.delete(BUCKET, 'moved.txt'), expectStatus(612));
    await step('bucket info', () => bucketManager.getBucketInfo(BUCKET), expectStatus(200));
    await step('domains', () => bucketManager.listBucketDomains(BUCKET),
        expectStatus(200, data => (data.length && data[0].tbl === BUCKET ? '' : JSON.stringify(data))));

    const domain = `${SCHEME}://${HOST}/_io/${BUCKET}`;
    await step('private bucket', () => bucketManager.putBucketAccessMode(BUCKET, { private: 1 }), expectStatus(200));
    await step('unsigned download refused', () => download(`${domain}/form.txt`),
        res => (res.status === 401 ? '' : `HTTP ${res.status}`));
    await step('private download URL', () => {
        const deadline = Math.floor(Date.now() / 1000) + 3600;
        return download(bucketManager.privateDownloadUrl(domain, 'form.txt', deadline));
    }, res => (res.status === 200 && res.body.toString() === 'hello node' ? '' : `HTTP ${res.status} ${res.body}`));
    await step('public again', () => bucketManager.putBucketAccessMode(BUCKET, { private: 0 }), expectStatus(200));

    const rule = { allowed_origin: ['http://localhost:5173'], allowed_method: ['GET', 'HEAD'],
        allowed_header: ['range'], exposed_header: ['ETag'], max_age: 600 };
    await step('cors rules set', () => bucketManager.putCorsRules(BUCKET, [rule]), expectStatus(200));
    await step('cors rules get', () => bucketManager.getCorsRules(BUCKET), expectStatus(200, data => (
        JSON.stringify(data) === JSON.stringify([rule]) ? '' : JSON.stringify(data))));
    await step('cors rules cleared', () => bucketManager.putCorsRules(BUCKET, []), expectStatus(200));

    await step('fetch', () => bucketManager.fetch(`${domain}/form.txt`, BUCKET, 'fetched.txt'),
        expectStatus(200, data => (data.key === 'fetched.txt' && data.fsize === 10 ? '' : JSON.stringify(data))));

    let persistentId = '';
    await step('pfop', async () => {
        const saveas = qiniu.util.urlsafeBase64Encode(`${OUT_BUCKET}:node/thumb.webp`);
        const result = await callback(done => operations.pfop(BUCKET, 'photo.png',
            [`imageView2/2/w/32/format/webp|saveas/${saveas}`], null, { force: true }, done));
        persistentId = result.data && result.data.persistentId;
        return result;
    }, expectStatus(200, data => (data.persistentId ? '' : JSON.stringify(data))));
    await step('prefop until done', () => waitForJob(operations, persistentId),
        ({ data }) => (data.code === 0 && data.items[0].key === 'node/thumb.webp' ? '' : JSON.stringify(data)));
    await step('pfop avinfo', async () => {
        const result = await callback(done => operations.pfop(BUCKET, 'clip.mp4', ['avinfo'], null, {}, done));
        return waitForJob(operations, result.data.persistentId);
    }, ({ data }) => (data.code === 0 && data.items[0].key ? '' : JSON.stringify(data)));
    await step('avinfo result', async () => {
        const stat = await bucketManager.stat(BUCKET, 'clip.mp4');
        return download(`${domain}/clip.mp4?avinfo`).then(res => ({ res, stat }));
    }, ({ res }) => {
        const info = JSON.parse(res.body.toString());
        return info.streams && info.streams[0].codec_type === 'video' ? '' : res.body.toString();
    });
}

main().then(() => process.exit(0), err => {
    report('steps', false, String(err && err.stack || err));
    process.exit(1);
});
