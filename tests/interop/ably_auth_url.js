'use strict';
// Have ably-js itself (ably 2.28.0) fetch a token from an authUrl, with a stand-in for Ably's
// REST host on loopback, so that nothing leaves the machine.
//
//   node ably_auth_url.js AUTH_URL [--client-id ID] [--method GET|POST]
//
// Calls
//     new Ably.Rest({authUrl: AUTH_URL, authMethod, clientId, endpoint: '127.0.0.1', port, tls: false,
//                    useBinaryProtocol: false}).auth.requestToken()
// which GETs (or POSTs) AUTH_URL and reads the answer as ably-js does (auth.ts `_requestTokenImpl`):
// a JWT or token string (text/plain, application/jwt) is used as the token as it is; a
// TokenRequest (JSON with keyName) is POSTed to Ably's `/keys/<keyName>/requestToken`, here a
// loopback server of this script that records the request and answers a TokenDetails
// `{token: "stand-in-token", issued, expires, capability, clientId}` built from it.
//
// Prints {"token_details": what requestToken returned,
//         "forwarded": {path, body} of the TokenRequest ably-js sent on, or null}
// or {"token_details": null, "error": "...", "code": <Ably error code>} when ably-js refuses the
// answer (e.g. 40170 for a content type it does not take). Exit 2 = called wrongly.
const http = require('http');
const Ably = require('ably');
const { parseArgs, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['client-id', 'method']);
if (positional.length !== 1) fail('usage: ably_auth_url.js AUTH_URL [--client-id ID] [--method GET|POST]');
const authUrl = positional[0];
const method = options.method || 'GET';
if (!['GET', 'POST'].includes(method)) fail(`--method is GET or POST, not ${method}`);

let forwarded = null;
const ablyStandIn = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    let request = null;
    try {
      request = JSON.parse(body);
    } catch (_) {
      request = body;
    }
    forwarded = { path: req.url, body: request };
    const now = Date.now();
    const ttl = (request && request.ttl) || 3600000;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token: 'stand-in-token',
        issued: now,
        expires: now + Number(ttl),
        capability: (request && request.capability) || '{"*":["*"]}',
        clientId: request && request.clientId,
      }),
    );
  });
});

ablyStandIn.listen(0, '127.0.0.1', async () => {
  const port = ablyStandIn.address().port;
  const clientOptions = {
    authUrl,
    authMethod: method,
    endpoint: '127.0.0.1',
    port,
    tls: false,
    useBinaryProtocol: false,
    logLevel: 0,
  };
  if (options['client-id'] !== undefined) clientOptions.clientId = options['client-id'];
  try {
    const rest = new Ably.Rest(clientOptions);
    const details = await rest.auth.requestToken();
    out({ token_details: details, forwarded });
  } catch (e) {
    out({ token_details: null, error: String(e && e.message ? e.message : e), code: (e && e.code) || null, forwarded });
  } finally {
    ablyStandIn.close();
  }
});
