// GET and POST /u/{token}: the public unsubscribe link (functions/app/unsubscribe.ts).
// GET shows a page with a button and changes nothing, since mail scanners
// fetch links; POST (RFC 8058 one-click from the mail client, or the button)
// unsubscribes. Any token we did not sign gets a 404 page. The pages echo
// nothing from the request and are never cached or indexed.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { unsubscribeSigningKey } from '../adapters/signing-key';
import { emailDigest, profileEmail, suppressDigest, unsubscribeProfile } from '../adapters/suppression-store';
import { readUnsubscribeToken, unsubscribe, type UnsubscribePorts } from '../app/unsubscribe';
import { functionConfig } from '../shared/config';
import type { HttpResult } from '../shared/http';
import { logger } from '../shared/observability';

const { tableName } = functionConfig('unsubscribe');
const ports: UnsubscribePorts = {
  signingKey: () => unsubscribeSigningKey(tableName),
  profile: (customerId) => profileEmail(tableName, customerId),
  emailDigest,
  suppressDigest: (digest, at) => suppressDigest(tableName, digest, 'unsubscribe', at),
  unsubscribeProfile: (customerId, campaignId, at) => unsubscribeProfile(tableName, customerId, campaignId, at),
};

function page(statusCode: number, title: string, body: string): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-robots-tag': 'noindex',
      // The token is in the URL: no Referer carries it anywhere.
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    },
    body:
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
      `<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}` +
      'button{font-size:1rem;padding:.5rem 1rem}</style></head>' +
      `<body><h1>${title}</h1>${body}</body></html>`,
  };
}

const notFound = (): HttpResult => page(404, 'Link not valid', '<p>This unsubscribe link is not valid. Use the link from the email itself.</p>');

async function serveLink(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const token = event.pathParameters?.['token'] ?? '';
  if (event.requestContext.http.method === 'GET') {
    if (!(await readUnsubscribeToken(ports, token))) return notFound();
    // No action attribute: the form posts back to this very link.
    return page(
      200,
      'Unsubscribe',
      '<p>Stop receiving marketing email from this store?</p>' +
        '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        '<button type="submit">Unsubscribe</button></form>',
    );
  }
  const result = await unsubscribe(ports, token, new Date());
  if (result.outcome === 'invalid_token') return notFound();
  logger.info('unsubscribed', { campaignId: result.campaignId, consent: result.consent });
  return page(200, 'You are unsubscribed', '<p>You will get no more marketing email from this store.</p>');
}

/** A failure of ours (the table unreachable) is a page asking to try again, not a bare 500. */
function unavailablePage(): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResult> {
  return {
    onError: async function answerUnavailable(request) {
      logger.error('unsubscribe failed', { error: request.error as Error });
      request.response = page(503, 'Please try again', '<p>We could not process this right now. Please try the link again in a minute.</p>');
    },
  };
}

export const handler = middy(serveLink).use(injectLambdaContext(logger)).use(unavailablePage());
