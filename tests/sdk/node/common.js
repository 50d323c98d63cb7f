// What both SDK drivers (steps.js, regions.js) share: the JSON line per step, the SDK's
// callbacks as promises, and waiting for a job by polling prefop.
'use strict';

function report (step, ok, detail) {
    process.stdout.write(JSON.stringify({ step, ok: Boolean(ok), detail }) + '\n');
}

function callback (fn) {
    return new Promise((resolve, reject) => fn((err, data, resp) => (err ? reject(err) : resolve({ data, resp }))));
}

// prefop until the job leaves codes 1 (waiting) and 2 (running): up to a minute.
async function waitForJob (operations, persistentId) {
    for (let i = 0; i < 600; i++) {
        const status = await callback(done => operations.prefop(persistentId, done));
        if (status.data && status.data.code !== 1 && status.data.code !== 2) return status;
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`job ${persistentId} did not finish`);
}

module.exports = { report, callback, waitForJob };
