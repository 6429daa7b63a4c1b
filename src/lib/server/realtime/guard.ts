import { parse as parseCookies } from 'cookie';
import type { Namespace, Server } from 'socket.io';

import { findViewer, SESSION_COOKIE, type Viewer } from '../auth/sessions';
import type { Db } from '../db/client';
import type { Logger } from '../logger';

/** The room every socket of one session joins, so revoking the session can close them all. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * Staff screens (the default namespace) must come with a signed-in session cookie; the answer
 * to one without is a connect error the page turns into a trip to the sign-in page.
 */
export function guardStaff(io: Server, options: { db: Db; log: Logger }): void {
	io.use((socket, next) => {
		// A page of another site (or another port of this host) must not open a staff feed with
		// the cookie a browser would send along: the origin must be the host it connects to.
		const { origin, host } = socket.handshake.headers;
		if (origin && !sameHost(origin, host)) {
			options.log.warn({ origin, host }, 'staff socket from another site refused');
			return next(new Error('cross_site'));
		}
		const cookies = parseCookies(socket.request.headers.cookie ?? '');
		// Sessions run on real time, even when the shop's clock is simulated for a replay.
		const viewer = findViewer(options.db, cookies[SESSION_COOKIE], Date.now());
		if (!viewer) {
			options.log.debug({ address: socket.handshake.address }, 'staff socket without a session');
			return next(new Error('unauthorized'));
		}
		(socket.data as { viewer?: Viewer }).viewer = viewer;
		void socket.join(sessionRoom(viewer.sessionId));
		next();
	});
}

/**
 * The public namespace answers the board and tracking questions only. Anything else sent on it
 * (a staff command tried from the pickup board) gets a refusal, never an action.
 */
export function refuseOthers(board: Namespace, allowed: readonly string[], log: Logger): void {
	board.on('connection', (socket) => {
		socket.onAny((event: string, ...args: unknown[]) => {
			if (allowed.includes(event)) return;
			log.warn({ event, address: socket.handshake.address }, 'public socket sent a staff command');
			const ack = args.at(-1);
			if (typeof ack === 'function') {
				ack({
					error: {
						code: 'forbidden',
						message: `${event}: the public screens can only read; sign in on a staff screen`
					}
				});
			}
		});
	});
}

function sameHost(origin: string, host: string | undefined): boolean {
	try {
		return new URL(origin).host === host;
	} catch {
		return false;
	}
}
