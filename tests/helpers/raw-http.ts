import http from 'node:http';

/** One request exactly as a hostile client would write it: any method, headers and bytes. */
export interface RawRequest {
	method: string;
	/** Path and query as sent on the request line, already encoded (or deliberately not). */
	path: string;
	headers: Record<string, string>;
	body?: Buffer;
}

export interface RawAnswer {
	status: number;
	contentType: string;
	/** Where a redirect points, as the server wrote it. */
	location: string | undefined;
	text: string;
}

/**
 * Sends `request` with node:http rather than fetch, which would refuse to send a chosen Host
 * header, fill in a Content-Type for text bodies, and reject invalid UTF-8 in a URL.
 */
export function sendRaw(base: URL, request: RawRequest, agent: http.Agent): Promise<RawAnswer> {
	return new Promise((resolve, reject) => {
		let answered = false;
		const outgoing = http.request(
			{
				host: base.hostname,
				port: base.port,
				method: request.method,
				path: request.path,
				headers: request.headers,
				agent,
				setHost: !('host' in request.headers)
			},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () => {
					answered = true;
					resolve({
						status: response.statusCode ?? 0,
						contentType: String(response.headers['content-type'] ?? ''),
						location: response.headers.location,
						text: Buffer.concat(chunks).toString('utf8')
					});
				});
				response.on('error', reject);
			}
		);
		// A server may answer an oversized body and close before the client has written it all.
		outgoing.on('error', (error) => {
			if (!answered) reject(error);
		});
		outgoing.end(request.body);
	});
}
