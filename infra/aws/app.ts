/** The CDK app: `npx cdk synth` / `npx cdk deploy` from infra/aws after `npm run build` at the root. */
import { App } from 'aws-cdk-lib';
import { CrosswatchStack } from './crosswatch-stack.ts';

const app = new App();
const azureStatusUrl = app.node.tryGetContext('azureStatusUrl') as string | undefined;
new CrosswatchStack(app, 'Crosswatch', {
  ...(azureStatusUrl ? { azureStatusUrl } : {}),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
