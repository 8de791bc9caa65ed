/** The CDK app: `npx cdk synth` / `npx cdk deploy` from infra/aws after `npm run build` at the root. */
import { App } from 'aws-cdk-lib';
import { CrosswatchStack } from './crosswatch-stack.ts';

const app = new App();
const awsHealthApi = app.node.tryGetContext('awsHealthApi') as string | undefined;
if (awsHealthApi !== undefined && awsHealthApi !== 'account' && awsHealthApi !== 'organization') {
  throw new Error(`-c awsHealthApi must be account or organization, not "${awsHealthApi}"`);
}
new CrosswatchStack(app, 'Crosswatch', {
  ...(awsHealthApi ? { awsHealthApi } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
