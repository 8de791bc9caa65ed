/**
 * The one wrapper around every HTTP handler of the Lambda deployment (Function URL or API Gateway
 * payload 2.0; the Middy idea: a plain handler wrapped once): the environment's context (a bad
 * configuration answers 503, which senders retry), the invocation's logger and EMF metrics, anything
 * unexpected logged and answered 503 with no detail, and the metrics always flushed.
 */
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type Observed, respondObserved } from '../../shared/runtime/run-invocation.ts';
import { getLambdaContext, type LambdaAppContext } from './lambda-context.ts';

const UNAVAILABLE: APIGatewayProxyStructuredResultV2 = {
  statusCode: 503,
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'retry-after': '5',
    'cache-control': 'no-store',
  },
  body: JSON.stringify({ error: 'temporarily unavailable, retry later' }),
  isBase64Encoded: false,
};

export async function runHttpLambda(
  context: Pick<Context, 'awsRequestId' | 'functionName'>,
  work: (app: LambdaAppContext, observed: Observed) => Promise<APIGatewayProxyStructuredResultV2>,
): Promise<APIGatewayProxyStructuredResultV2> {
  let app: LambdaAppContext;
  try {
    app = await getLambdaContext();
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'crosswatch could not start',
        error: error instanceof Error ? error.name : 'Error',
      }),
    );
    return UNAVAILABLE;
  }
  const observed = app.observe(context);
  return respondObserved(observed, context.functionName, UNAVAILABLE, () => work(app, observed));
}
