/**
 * crosswatch on AWS Lambda: the cross-cloud vantage. One stack with the DynamoDB state table, the S3
 * evidence bucket, the SQS inbox with its dead-letter queue, the seven handlers from `npm run build`
 * (dist/aws/<handler>), the webhook's Function URL, EventBridge Scheduler schedules with explicit
 * retry policies and a dead-letter queue, the `aws.health` rule, the secrets, and alarms on every
 * dead-letter queue and on function errors through an SNS topic that does not depend on Azure.
 *
 *   npm run build && cd infra/aws && npm install && npx cdk deploy
 *
 * Mesh peers (docs/mesh.md): the `MeshPeers` secret holds the CROSSWATCH_PEERS JSON (`[]` until set).
 */
import { Duration, RemovalPolicy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface CrosswatchStackProps extends StackProps {
  /** Where dist/aws lives (default ../../dist/aws from this folder). */
  readonly bundleRoot?: string;
  /** Poll the AWS Health API from pollProviderHealth (CROSSWATCH_AWS_HEALTH_API); default off. */
  readonly awsHealthApi?: 'account' | 'organization';
}

const SCHEDULER_INPUT =
  '{"scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"}';

export class CrosswatchStack extends Stack {
  constructor(scope: Construct, id: string, props: CrosswatchStackProps = {}) {
    super(scope, id, props);
    const bundleRoot = props.bundleRoot ?? `${__dirname}/../../dist/aws`;

    const table = new dynamodb.Table(this, 'State', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.BINARY },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const evidence = new s3.Bucket(this, 'Evidence', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const processInboxTimeout = Duration.seconds(60);
    const inboxDlq = new sqs.Queue(this, 'InboxDlq', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });
    const inbox = new sqs.Queue(this, 'Inbox', {
      // At least 6× the consumer's timeout (Lambda's SQS guidance).
      visibilityTimeout: Duration.seconds(processInboxTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: inboxDlq, maxReceiveCount: 5 },
      enforceSSL: true,
    });
    const scheduleDlq = new sqs.Queue(this, 'ScheduleDlq', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
    });

    const webhookSecret = new secretsmanager.Secret(this, 'WebhookSecrets', {
      description: 'crosswatch webhook: {"tokens": "<token>", "standardWebhookSecrets": "whsec_…"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'tokens',
        passwordLength: 40,
        excludePunctuation: true,
      },
    });
    // The mesh peers with their shared secrets (docs/mesh.md): set it after deploy, e.g. with
    // `aws secretsmanager put-secret-value`; `[]` (no peers) until then.
    const meshPeersSecret = new secretsmanager.Secret(this, 'MeshPeers', {
      description:
        'crosswatch mesh peers: [{"id": "azure", "url": "…/api/mesh", "secret": "whsec_…", "statusUrl": "…"}]',
      secretStringValue: SecretValue.unsafePlainText('[]'),
    });
    const azureSpSecret = new secretsmanager.Secret(this, 'AzureServicePrincipalSecret', {
      description: 'Client secret of the Entra service principal the pollers use (set it after deploy).',
    });

    const alerts = new sns.Topic(this, 'OperatorAlerts', { displayName: 'crosswatch operator alerts' });

    const config = {
      store: { kind: 'dynamodb', tableName: table.tableName, region: this.region },
      evidence: { kind: 's3', bucket: evidence.bucketName, prefix: 'evidence/' },
      vantage: { id: `aws-${this.region}`, cloud: 'aws', region: this.region },
    };
    const environment: Record<string, string> = {
      CROSSWATCH_CONFIG: JSON.stringify(config),
      CROSSWATCH_INBOX_QUEUE_URL: inbox.queueUrl,
      CROSSWATCH_DEPLOYMENT_ID: 'aws',
      CROSSWATCH_WEBHOOK_TOKENS_SECRET_REF: `secretsmanager:${webhookSecret.secretArn}#tokens`,
      CROSSWATCH_AZURE_CLIENT_SECRET_REF: `secretsmanager:${azureSpSecret.secretArn}`,
      CROSSWATCH_PEERS_SECRET_REF: `secretsmanager:${meshPeersSecret.secretArn}`,
      NODE_OPTIONS: '--enable-source-maps',
    };

    const handler = (name: string, dir: string, timeout: Duration, memorySize = 512) => {
      const fn = new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        code: lambda.Code.fromAsset(`${bundleRoot}/${dir}`, { exclude: ['meta.json'] }),
        handler: 'index.handler',
        timeout,
        memorySize,
        environment,
      });
      table.grantReadWriteData(fn);
      evidence.grantReadWrite(fn);
      webhookSecret.grantRead(fn);
      meshPeersSecret.grantRead(fn);
      new cloudwatch.Alarm(this, `${name}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new cloudwatchActions.SnsAction(alerts));
      return fn;
    };

    const webhook = handler('Webhook', 'webhook', Duration.seconds(10));
    inbox.grantSendMessages(webhook);
    webhook.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

    const processInbox = handler('ProcessInbox', 'process-inbox', processInboxTimeout);
    processInbox.addEventSource(new SqsEventSource(inbox, { batchSize: 10, reportBatchItemFailures: true }));

    const awsHealth = handler('AwsHealth', 'aws-health', Duration.seconds(60));
    new events.Rule(this, 'AwsHealthRule', {
      eventPattern: { source: ['aws.health'] },
      targets: [
        new eventsTargets.LambdaFunction(awsHealth, { retryAttempts: 2, deadLetterQueue: scheduleDlq }),
      ],
    });

    const probe = handler('Probe', 'probe', Duration.seconds(45), 1024);
    const poll = handler('PollProviderHealth', 'poll-provider-health', Duration.seconds(60));
    azureSpSecret.grantRead(poll);
    // The AWS Health API poller: read-only, and AWS Health has no resource-level permissions.
    poll.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'health:DescribeEvents',
          'health:DescribeEventDetails',
          'health:DescribeEventsForOrganization',
          'health:DescribeEventDetailsForOrganization',
          'health:DescribeAffectedAccountsForOrganization',
        ],
        resources: ['*'],
      }),
    );
    if (props.awsHealthApi) poll.addEnvironment('CROSSWATCH_AWS_HEALTH_API', props.awsHealthApi);
    const deliver = handler('Deliver', 'deliver', Duration.seconds(75));
    const watchdog = handler('Watchdog', 'watchdog', Duration.seconds(30));

    // Senders: SES and SNS for the sinks that do not depend on Azure.
    for (const fn of [processInbox, awsHealth, deliver, watchdog]) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['ses:SendEmail', 'sns:Publish'], resources: ['*'] }),
      );
    }

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
    });
    scheduleDlq.grantSendMessages(schedulerRole);
    const schedule = (name: string, fn: lambda.Function, expression: string) => {
      fn.grantInvoke(schedulerRole);
      new scheduler.CfnSchedule(this, name, {
        scheduleExpression: expression,
        flexibleTimeWindow: { mode: 'OFF' },
        target: {
          arn: fn.functionArn,
          roleArn: schedulerRole.roleArn,
          input: SCHEDULER_INPUT,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
          deadLetterConfig: { arn: scheduleDlq.queueArn },
        },
      });
    };
    schedule('ProbeSchedule', probe, 'rate(1 minute)');
    schedule('PollSchedule', poll, 'rate(5 minutes)');
    schedule('DeliverSchedule', deliver, 'rate(1 minute)');
    schedule('WatchdogSchedule', watchdog, 'rate(2 minutes)');

    for (const [name, queue] of [
      ['InboxDlqDepth', inboxDlq],
      ['ScheduleDlqDepth', scheduleDlq],
    ] as const) {
      new cloudwatch.Alarm(this, name, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new cloudwatchActions.SnsAction(alerts));
    }
  }
}
