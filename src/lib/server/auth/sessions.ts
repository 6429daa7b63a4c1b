import { createHash, randomBytes, randomInt } from 'node:crypto';

import { and, desc, eq, isNull, sql } from 'drizzle-orm';

import { MINUTE_MS } from '../../domain/shop-time';
import type { Db } from '../db/client';
import { pairingCodes, sessions, staffMembers, type Role } from '../db/schema';
import { AppError } from '../errors';

/*
 * Every `now` here is real time (Date.now()), never the shop's clock: a replay moving a simulated
 * clock through a day must not expire the sessions of the people watching it.
 */

/** Who a request or socket speaks for; `null` is the public. */
export interface Viewer {
	sessionId: string;
	kind: 'person' | 'screen';
	role: Role;
	label: string;
	staffId: number | null;
}

export const SESSION_COOKIE = 'bakery_session';
/** A person's session lasts a long shift; a paired screen's lasts until it is revoked. */
export const PERSON_SESSION_MS = 14 * 60 * MINUTE_MS;
export const PAIRING_CODE_MS = 15 * MINUTE_MS;
/** How often a session's last-seen time is written; every request would be a write each. */
const TOUCH_EVERY_MS = 5 * MINUTE_MS;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function newToken(): string {
	return randomBytes(32).toString('base64url');
}

export function openSession(
	db: Db,
	now: number,
	who: { kind: Viewer['kind']; role: Role; label: string; staffId: number | null }
): { token: string; viewer: Viewer } {
	const token = newToken();
	const id = sha256(token);
	db.insert(sessions)
		.values({
			id,
			...who,
			createdAt: now,
			lastSeenAt: now,
			expiresAt: who.kind === 'person' ? now + PERSON_SESSION_MS : null
		})
		.run();
	return { token, viewer: { sessionId: id, ...who } };
}

/** The viewer a cookie's token stands for, or null when it is unknown, expired or revoked. */
export function findViewer(db: Db, token: string | undefined, now: number): Viewer | null {
	if (!token || token.length > 100) return null;
	const id = sha256(token);
	const row = db
		.select({
			id: sessions.id,
			kind: sessions.kind,
			role: sessions.role,
			label: sessions.label,
			staffId: sessions.staffId,
			lastSeenAt: sessions.lastSeenAt,
			expiresAt: sessions.expiresAt,
			revokedAt: sessions.revokedAt,
			active: staffMembers.active
		})
		.from(sessions)
		.leftJoin(staffMembers, eq(staffMembers.id, sessions.staffId))
		.where(eq(sessions.id, id))
		.get();
	if (!row || row.revokedAt !== null || row.active === false) return null;
	if (row.expiresAt !== null && row.expiresAt <= now) return null;
	if (now - row.lastSeenAt > TOUCH_EVERY_MS) {
		db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)).run();
	}
	return {
		sessionId: row.id,
		kind: row.kind,
		role: row.role,
		label: row.label,
		staffId: row.staffId
	};
}

export function revokeSession(db: Db, sessionId: string, now: number): boolean {
	const result = db
		.update(sessions)
		.set({ revokedAt: now })
		.where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
		.run();
	return result.changes > 0;
}

/** Ends every session of one person, as when they leave or their PIN is changed. */
export function revokeSessionsOf(db: Db, staffId: number, now: number): string[] {
	const open = db
		.select({ id: sessions.id })
		.from(sessions)
		.where(and(eq(sessions.staffId, staffId), isNull(sessions.revokedAt)))
		.all()
		.map((row) => row.id);
	for (const id of open) revokeSession(db, id, now);
	return open;
}

export interface SessionRow {
	id: string;
	kind: Viewer['kind'];
	role: Role;
	label: string;
	createdAt: number;
	lastSeenAt: number;
	expiresAt: number | null;
}

/** Sessions still open: people signed in and paired screens, newest first. */
export function openSessions(db: Db, now: number): SessionRow[] {
	return db
		.select({
			id: sessions.id,
			kind: sessions.kind,
			role: sessions.role,
			label: sessions.label,
			createdAt: sessions.createdAt,
			lastSeenAt: sessions.lastSeenAt,
			expiresAt: sessions.expiresAt
		})
		.from(sessions)
		.where(
			and(
				isNull(sessions.revokedAt),
				sql`(${sessions.expiresAt} is null or ${sessions.expiresAt} > ${now})`
			)
		)
		.orderBy(desc(sessions.createdAt))
		.all();
}

/** Letters and digits a person cannot misread on a wall screen across the room. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 8;

export function normaliseCode(code: string): string {
	return code.toUpperCase().replace(/[\s-]/g, '');
}

export function issuePairingCode(
	db: Db,
	now: number,
	request: { label: string; landing: string; createdBy: number | null }
): { code: string; expiresAt: number } {
	const code = Array.from(
		{ length: CODE_LENGTH },
		() => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
	).join('');
	const expiresAt = now + PAIRING_CODE_MS;
	db.insert(pairingCodes)
		.values({ id: sha256(code), ...request, createdAt: now, expiresAt })
		.run();
	return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
}

/** Trades a pairing code, once, for a screen session. */
export function pairScreen(
	db: Db,
	now: number,
	code: string
): { token: string; viewer: Viewer; landing: string } {
	const id = sha256(normaliseCode(code));
	return db.transaction(
		() => {
			const row = db.select().from(pairingCodes).where(eq(pairingCodes.id, id)).get();
			if (!row || row.usedAt !== null || row.expiresAt <= now) {
				throw new AppError(
					400,
					'invalid_code',
					'code: is unknown, used or expired; ask a manager for a new code (Back office, Staff and screens)',
					{ problems: [{ field: 'code', message: 'is unknown, used or expired' }] }
				);
			}
			const opened = openSession(db, now, {
				kind: 'screen',
				role: 'staff',
				label: row.label,
				staffId: null
			});
			db.update(pairingCodes)
				.set({ usedAt: now, sessionId: opened.viewer.sessionId })
				.where(eq(pairingCodes.id, id))
				.run();
			return { ...opened, landing: row.landing };
		},
		{ behavior: 'immediate' }
	);
}
