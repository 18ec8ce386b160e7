import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ResponseSink } from '../http/response-sink.ts';
import { dynamoDbLambdaRoot } from '../runtime/dynamodb-lambda-root.ts';
import { makeStreamRunServer } from './stream-run.ts';

const serveStream = makeStreamRunServer(dynamoDbLambdaRoot());

/** Time kept back from Lambda's deadline to close the stream cleanly. */
const DEADLINE_MARGIN_MS = 10_000;

/**
 * The Lambda runtime's streaming API. Only the runtime provides streamifyResponse; elsewhere
 * `globalThis.awslambda` may exist without it (the SDK's invoke store creates the object).
 */
const runtime = (globalThis as { awslambda?: Partial<typeof awslambda> }).awslambda;

/** In AWS: API Gateway (REST, response transfer mode STREAM) invokes this with InvokeWithResponseStream. */
export const handler =
  runtime?.streamifyResponse === undefined
    ? undefined
    : runtime.streamifyResponse(async (event: APIGatewayProxyEvent, responseStream, context) => {
        await serveStream(event, lambdaSink(responseStream), { deadlineMs: context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS });
      });

function lambdaSink(responseStream: awslambda.HttpResponseStream): ResponseSink {
  const closed = new AbortController();
  let stream = responseStream;
  stream.on('close', () => closed.abort());
  stream.on('error', () => closed.abort());
  return {
    open(statusCode, headers) {
      stream = awslambda.HttpResponseStream.from(responseStream, { statusCode, headers });
    },
    write: (chunk) =>
      new Promise((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      }),
    end: () => stream.end(),
    closed: closed.signal,
  };
}
