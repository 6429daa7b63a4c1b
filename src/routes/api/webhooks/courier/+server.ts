import { json } from '@sveltejs/kit';

import { applyCourierEvent } from '$lib/server/delivery/courier';
import { AppError, invalid } from '$lib/server/errors';
import { endpoint, methodNotAllowed, readText } from '$lib/server/http';
import {
	COURIER_SIGNATURE_HEADER,
	parseCourierEvent,
	verifyCourierSignature
} from '$lib/server/providers/courier';
import { runtime } from '$lib/server/runtime';

/**
 * The courier's status webhooks. The signature is checked on the raw bytes before anything is
 * read; a wrong one is refused and logged and changes nothing.
 */
export const POST = endpoint(async ({ request, getClientAddress }) => {
	const rt = runtime();
	const log = rt.log.child({ module: 'courier' });
	if (!rt.config.courier) {
		throw new AppError(404, 'not_found', 'no courier service is set up (COURIER_BASE_URL)');
	}
	const raw = await readText(request);
	const signature = request.headers.get(COURIER_SIGNATURE_HEADER);
	if (!verifyCourierSignature(raw, signature, rt.config.courier.webhookSecret, rt.now())) {
		log.warn(
			{ from: getClientAddress(), signed: signature !== null },
			'courier webhook refused: bad signature'
		);
		throw new AppError(
			401,
			'bad_signature',
			`${COURIER_SIGNATURE_HEADER} does not sign this body with the shop's courier secret, or is older than 5 minutes`,
			{
				problems: [{ field: COURIER_SIGNATURE_HEADER, message: 'is missing, wrong or stale' }]
			}
		);
	}
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		throw invalid([{ field: 'body', message: 'is not JSON; the courier must send a JSON event' }]);
	}
	let event;
	try {
		event = parseCourierEvent(body);
	} catch (error) {
		// An event the shop does not follow is acknowledged: the courier would resend it for hours.
		const onlyName =
			error instanceof AppError &&
			error.details.problems?.every((problem) => problem.field === 'event_name');
		if (!onlyName) throw error;
		log.info(
			{ event: (body as { event_name?: unknown }).event_name },
			'courier event not followed'
		);
		return json({ applied: false, reason: 'event not followed' });
	}
	return json(await applyCourierEvent(rt, event));
});

export const fallback = methodNotAllowed('POST');
