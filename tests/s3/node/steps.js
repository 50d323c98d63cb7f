// One step of the S3 round trip per run, with the AWS SDK for JavaScript v3:
//   node steps.js put <key> <file> | get <key> <file> | presign-put <key> | list <prefix>
// The endpoint and credentials come from S3_ENDPOINT, AK and SK; the bucket from BUCKET.
const fs = require("fs");
const { S3Client, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } = require("@aws-sdk/client-s3");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");

const s3 = new S3Client({
  endpoint: process.env.S3_ENDPOINT, region: "cn-east-1", forcePathStyle: true, maxAttempts: 1,
  credentials: { accessKeyId: process.env.AK, secretAccessKey: process.env.SK },
});
const Bucket = process.env.BUCKET;

async function main([step, key, file]) {
  if (step === "put") {
    const done = await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: fs.readFileSync(file),
                                                      ContentType: "image/jpeg" }));
    return { etag: done.ETag };
  }
  if (step === "get") {
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: key }));
    fs.writeFileSync(file, Buffer.from(await got.Body.transformToByteArray()));
    return { type: got.ContentType, length: got.ContentLength };
  }
  if (step === "presign-put") {
    return { url: await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: key }), { expiresIn: 300 }) };
  }
  if (step === "list") {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: key }));
    return { keys: (page.Contents || []).map((o) => o.Key) };
  }
  throw new Error(`unknown step ${step}`);
}

main(process.argv.slice(2)).then(
  (result) => console.log(JSON.stringify(result)),
  (error) => { console.error(`${error.name}: ${error.message}`); process.exit(1); },
);
