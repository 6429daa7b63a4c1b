import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';

import type { Db } from '../db/client';
import { staffMembers, type Role } from '../db/schema';
import { AppError, conflict, invalid, notFound, type FieldProblem } from '../errors';
import { decoyHash, hashSecret, verifySecret } from './passwords';
import { openSession, revokeSessionsOf, type Viewer } from './sessions';

export interface StaffMember {
	id: number;
	name: string;
	role: Role;
	hasPassword: boolean;
	hasPin: boolean;
	active: boolean;
}

const name = z
	.string({ error: 'is missing; write the name they sign in with' })
	.trim()
	.min(1, 'is empty; write the name they sign in with')
	.max(60, 'is longer than 60 characters');
const password = z
	.string({ error: 'must be text' })
	.min(10, 'is shorter than 10 characters; use a longer one')
	.max(200, 'is longer than 200 characters');
const pin = z
	.string({ error: 'must be text of 4 to 8 digits' })
	.regex(/^\d{4,8}$/, 'must be 4 to 8 digits');

const newMember = z
	.object({
		name,
		role: z.enum(['manager', 'staff'], { error: 'use manager or staff' }),
		password: password.optional(),
		pin: pin.optional()
	})
	.strict();

const changes = z
	.object({
		role: z.enum(['manager', 'staff'], { error: 'use manager or staff' }).optional(),
		password: password.optional(),
		pin: pin.nullable().optional(),
		active: z.boolean({ error: 'use true or false' }).optional()
	})
	.strict();

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
	const parsed = schema.safeParse(input);
	if (parsed.success) return parsed.data;
	throw invalid(
		parsed.error.issues.map((issue): FieldProblem => ({
			field: issue.path.join('.') || (issue.code === 'unrecognized_keys' ? 'body' : 'body'),
			message:
				issue.code === 'unrecognized_keys'
					? `has unknown fields ${issue.keys.join(', ')}; use name, role, password, pin`
					: issue.message
		}))
	);
}

/** A manager runs the back office, so a guessable PIN is not enough for one. */
function checkSecrets(role: Role, hasPassword: boolean, hasPin: boolean): void {
	if (role === 'manager' && !hasPassword) {
		throw invalid([
			{ field: 'password', message: 'is required for a manager (10 characters or more)' }
		]);
	}
	if (role === 'manager' && hasPin) {
		throw invalid([{ field: 'pin', message: 'is for staff; a manager signs in with a password' }]);
	}
	if (!hasPassword && !hasPin) {
		throw invalid([
			{ field: 'pin', message: 'is missing; give a PIN or a password to sign in with' }
		]);
	}
}

function toMember(row: typeof staffMembers.$inferSelect): StaffMember {
	return {
		id: row.id,
		name: row.name,
		role: row.role,
		hasPassword: row.passwordHash !== null,
		hasPin: row.pinHash !== null,
		active: row.active
	};
}

function activeManagers(db: Db): number {
	return db
		.select({ id: staffMembers.id })
		.from(staffMembers)
		.where(and(eq(staffMembers.role, 'manager'), eq(staffMembers.active, true)))
		.all().length;
}

export function listStaff(db: Db): StaffMember[] {
	return db.select().from(staffMembers).orderBy(asc(staffMembers.name)).all().map(toMember);
}

export function findStaffByName(db: Db, who: string) {
	return db
		.select()
		.from(staffMembers)
		.where(eq(sql`lower(${staffMembers.name})`, who.trim().toLowerCase()))
		.get();
}

export async function addStaff(db: Db, now: number, input: unknown): Promise<StaffMember> {
	const data = parse(newMember, input);
	checkSecrets(data.role, data.password !== undefined, data.pin !== undefined);
	if (findStaffByName(db, data.name)) {
		throw conflict(`name: ${data.name} is already on the staff list; pick another name`);
	}
	const [passwordHash, pinHash] = await Promise.all([
		data.password === undefined ? null : hashSecret(data.password),
		data.pin === undefined ? null : hashSecret(data.pin)
	]);
	const row = db
		.insert(staffMembers)
		.values({ name: data.name, role: data.role, passwordHash, pinHash, createdAt: now })
		.returning()
		.get();
	return toMember(row);
}

/** Changing a role, a secret or taking someone off the list signs them out everywhere. */
export async function changeStaff(
	db: Db,
	now: number,
	id: number,
	input: unknown
): Promise<{ member: StaffMember; revoked: string[] }> {
	const data = parse(changes, input);
	const row = db.select().from(staffMembers).where(eq(staffMembers.id, id)).get();
	if (!row) throw notFound(`staff member ${id}`);
	const role = data.role ?? row.role;
	const hasPassword = data.password !== undefined || row.passwordHash !== null;
	const hasPin = data.pin === undefined ? row.pinHash !== null : data.pin !== null;
	checkSecrets(role, hasPassword, hasPin);
	const passwordHash = data.password === undefined ? undefined : await hashSecret(data.password);
	const pinHash =
		data.pin === undefined ? undefined : data.pin === null ? null : await hashSecret(data.pin);
	const updated = db.transaction(
		() => {
			const losesManager =
				row.role === 'manager' && row.active && (role !== 'manager' || data.active === false);
			if (losesManager && activeManagers(db) <= 1) {
				throw new AppError(
					409,
					'last_manager',
					`${row.name} is the only manager left; add another manager first, or nobody could run the back office`,
					{
						problems: [
							{
								field: data.active === false ? 'active' : 'role',
								message: 'would leave no manager'
							}
						]
					}
				);
			}
			const next = db
				.update(staffMembers)
				.set({ role, passwordHash, pinHash, active: data.active })
				.where(eq(staffMembers.id, id))
				.returning()
				.get();
			return { next, revoked: revokeSessionsOf(db, id, now) };
		},
		{ behavior: 'immediate' }
	);
	return { member: toMember(updated.next), revoked: updated.revoked };
}

const signInBody = z
	.object({
		name: z
			.string({ error: 'is missing; write your name' })
			.trim()
			.min(1, 'is empty; write your name')
			.max(60),
		secret: z
			.string({ error: 'is missing; write your password or PIN' })
			.min(1, 'is empty; write your password or PIN')
			.max(200, 'is longer than 200 characters')
	})
	.strict();

export const WRONG_SIGN_IN = 'name or password/PIN is wrong; check both and try again';

/**
 * Checks a name with a password or PIN and opens a session. Unknown names take as long as
 * wrong secrets, and both get the same answer, so the answer says nothing about who works here.
 */
export async function signIn(
	db: Db,
	now: number,
	input: unknown
): Promise<{ token: string; viewer: Viewer }> {
	const { name: who, secret } = parse(signInBody, input);
	const row = findStaffByName(db, who);
	const hashes = [row?.passwordHash, /^\d{4,8}$/.test(secret) ? row?.pinHash : null].filter(
		(hash): hash is string => typeof hash === 'string'
	);
	if (hashes.length === 0) hashes.push(await decoyHash());
	const checks = await Promise.all(hashes.map((hash) => verifySecret(secret, hash)));
	if (!row || !row.active || !checks.some(Boolean)) {
		throw new AppError(401, 'wrong_sign_in', WRONG_SIGN_IN, {
			problems: [{ field: 'secret', message: WRONG_SIGN_IN }]
		});
	}
	return openSession(db, now, {
		kind: 'person',
		role: row.role,
		label: row.name,
		staffId: row.id
	});
}

/**
 * The first manager of a shop comes from the environment (MANAGER_NAME, MANAGER_PASSWORD), so no
 * secret is ever written in the code or the demo data. Nothing happens while an active manager
 * exists. A shop left without one (the last manager taken off by hand in the database, say) is
 * rescued the same way: the named person is made an active manager with the given password.
 */
export async function ensureManager(
	db: Db,
	now: number,
	account: { name: string; password: string } | undefined
): Promise<'created' | 'restored' | 'exists' | 'missing'> {
	if (activeManagers(db) > 0) return 'exists';
	if (!account) return 'missing';
	const existing = findStaffByName(db, account.name);
	if (existing) {
		const passwordHash = await hashSecret(account.password);
		db.update(staffMembers)
			.set({ role: 'manager', active: true, passwordHash, pinHash: null })
			.where(eq(staffMembers.id, existing.id))
			.run();
		return 'restored';
	}
	try {
		await addStaff(db, now, { name: account.name, role: 'manager', password: account.password });
	} catch (error) {
		// Two processes starting on a new database at once: the other one made the manager.
		if (findStaffByName(db, account.name)) return 'exists';
		throw error;
	}
	return 'created';
}
