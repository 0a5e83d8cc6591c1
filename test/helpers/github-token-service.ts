import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';

export type TokenService = {
	url: string;
	requests: Array<{audience: string | null; authorization: string | undefined}>;
	close(): Promise<void>;
};

/** Stands in for GitHub's ACTIONS_ID_TOKEN_REQUEST_URL: answers {"value": token}, or 403 on /forbidden. */
export async function startGitHubTokenService(token: string): Promise<TokenService> {
	const requests: TokenService['requests'] = [];
	const server = createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://localhost');
		requests.push({audience: url.searchParams.get('audience'), authorization: request.headers.authorization});
		if (url.pathname === '/forbidden') {
			response
				.writeHead(403, {'content-type': 'application/json'})
				.end('{"message":"Resource not accessible by integration"}');
			return;
		}

		response
			.writeHead(200, {'content-type': 'application/json'})
			.end(JSON.stringify({count: 1, value: token}));
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		requests,
		close: () => new Promise(resolve => server.close(() => resolve())),
	};
}
