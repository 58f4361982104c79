// TypeScript samples for config/rules/security/javascript-extra.yaml (AWS CDK, NestJS and shared rules).
import * as cdk from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { NestFactory } from "@nestjs/core";

export class StorageStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    // ruleid: javascript.awscdk-bucket-unencrypted, javascript.awscdk-bucket-no-enforce-ssl
    const logs = new s3.Bucket(this, "Logs", { versioned: true });
    // ok: javascript.awscdk-bucket-unencrypted, javascript.awscdk-bucket-no-enforce-ssl
    const data = new s3.Bucket(this, "Data", {
      encryption: s3.BucketEncryption.KMS_MANAGED,
      enforceSSL: true,
    });
    // ruleid: javascript.awscdk-queue-unencrypted
    const jobs = new Queue(this, "Jobs", { encryption: QueueEncryption.UNENCRYPTED });
    // ok: javascript.awscdk-queue-unencrypted
    const events = new Queue(this, "Events", { encryption: QueueEncryption.KMS_MANAGED });
    void [logs, data, jobs, events];
  }
}

export async function bootstrap(AppModule: unknown): Promise<void> {
  // ruleid: javascript.cors-any-origin
  const app = await NestFactory.create(AppModule as never, { cors: true });
  // ruleid: javascript.cors-any-origin
  app.enableCors();
  // ok: javascript.cors-any-origin
  app.enableCors({ origin: ["https://console.example.com"], credentials: true });
  await app.listen(3000);
}

export function allowed(origin: string): boolean {
  // ruleid: javascript.url-regex-unescaped-dot
  const trusted: RegExp[] = [/^https?:\/\/(api|www).example.org$/];
  // ok: javascript.url-regex-unescaped-dot
  const exact: RegExp[] = [/^https?:\/\/(api|www)\.example\.org$/];
  return trusted.concat(exact).some((re) => re.test(origin));
}

export function feed(token: string): WebSocket {
  // ruleid: javascript.insecure-websocket
  const sock = new WebSocket(`ws://push.example.org/v1?token=${token}`);
  // ok: javascript.insecure-websocket
  const secure = new WebSocket(`wss://push.example.org/v1?token=${token}`);
  secure.close();
  return sock;
}
