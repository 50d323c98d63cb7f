// The official `qiniu` Node.js SDK against an emulator started with --regions, given only
// the uc host: it must find the bucket's region itself. Prints one JSON line per step:
// {"step", "ok", "detail"}.
//
//   UC=127.0.0.1:9000 UC_TLS=127.0.0.1:9001 AK=... SK=... BUCKET=far-bucket \
//   WRONG_UP=127.0.0.1:9100 MODE=discover|wrong-zone|failover node regions.js
//
// Uploads, stat and list discover the region through conf.UC_HOST (plain http). pfop finds
// its api host through the SDK's older zone lookup, which always asks https://QUERY_REGION_HOST,
// so that step points QUERY_REGION_HOST at the emulator's --tls port (UC_TLS).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const qiniu = require('qiniu');
const { report, callback, waitForJob } = require('./common');

const { UC, UC_TLS, BUCKET, WRONG_UP, MODE } = process.env;
const mac = new qiniu.auth.digest.Mac(process.env.AK, process.env.SK);

async function step (name, run, check) {
    try {
        const { data, resp } = await run();
        const status = resp && resp.statusCode;
        const problem = check(status, data);
        report(name, !problem, problem || { status, data });
    } catch (err) {
        report(name, false, String(err && err.stack || err));
    }
}

function freshConfig (options) {
    return new qiniu.conf.Config(Object.assign({ regionsQueryResultCachePath: null }, options || {}));
}

function uploadToken (key) {
    return new qiniu.rs.PutPolicy({ scope: `${BUCKET}:${key}` }).uploadToken(mac);
}

function upload (config, key) {
    return new qiniu.form_up.FormUploader(config).put(uploadToken(key), key, Buffer.from('hello region'),
        new qiniu.form_up.PutExtra());
}

async function discover () {
    const config = freshConfig();
    const bucketManager = new qiniu.rs.BucketManager(mac, config);
    await step('upload', () => upload(config, 'node.txt'),
        (status, data) => (status === 200 && data.key === 'node.txt' ? '' : 'upload failed'));
    await step('resumable v2', () => {
        const big = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qiniu-regions-')), 'big.bin');
        fs.writeFileSync(big, Buffer.alloc(5 * 1024 * 1024 + 123, 7));
        const extra = qiniu.resume_up.PutExtra.create();
        extra.partSize = 1024 * 1024;
        return new qiniu.resume_up.ResumeUploader(config).putFileV2(uploadToken('big.bin'), 'big.bin', big, extra);
    }, (status, data) => (status === 200 && data.key === 'big.bin' ? '' : 'resumable upload failed'));
    await step('stat', () => bucketManager.stat(BUCKET, 'node.txt'),
        (status, data) => (status === 200 && data.fsize === 12 ? '' : 'stat failed'));
    await step('list', () => bucketManager.listPrefix(BUCKET, { prefix: 'node', limit: 10 }),
        (status, data) => (status === 200 && data.items.length === 1 ? '' : 'list failed'));
    qiniu.conf.QUERY_REGION_HOST = UC_TLS;
    const operations = new qiniu.fop.OperationManager(mac, freshConfig());
    let persistentId = '';
    await step('pfop', async () => {
        const result = await callback(done => operations.pfop(BUCKET, 'node.txt', ['qhash/md5'], null, {}, done));
        persistentId = result.data && result.data.persistentId;
        return result;
    }, status => (status === 200 && persistentId ? '' : 'pfop failed'));
    await step('prefop until done', () => waitForJob(operations, persistentId),
        (status, data) => (data.code === 0 ? '' : 'job failed'));
}

async function wrongZone () {
    const zone = new qiniu.conf.Zone([WRONG_UP], [WRONG_UP], WRONG_UP, WRONG_UP, WRONG_UP, WRONG_UP);
    await step('upload to a pinned zone', () => upload(freshConfig({ zone }), 'pinned.txt'),
        status => (status === 400 ? '' : `HTTP ${status}`));
}

async function failover () {
    await step('upload while the main up host fails', () => upload(freshConfig(), 'failover.txt'),
        (status, data) => (status === 200 && data.key === 'failover.txt' ? '' : `HTTP ${status}`));
}

const modes = { discover, 'wrong-zone': wrongZone, failover };
qiniu.conf.UC_HOST = UC;
modes[MODE]().then(() => process.exit(0), err => {
    report('regions', false, String(err && err.stack || err));
    process.exit(1);
});
