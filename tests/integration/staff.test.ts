import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { accessFor, allows, safeNext } from '../../src/lib/server/auth/access';
import {
	findViewer,
	issuePairingCode,
	pairScreen,
	PAIRING_CODE_MS,
	PERSON_SESSION_MS
} from '../../src/lib/server/auth/sessions';
import {
	addStaff,
	changeStaff,
	ensureManager,
	listStaff,
	signIn
} from '../../src/lib/server/auth/staff';
import { AppError } from '../../src/lib/server/errors';
import { testBakery, type TestBakery } from '../helpers/deps';

const NOW = Date.parse('2024-06-14T08:00:00Z');
let bakery: TestBakery;

beforeEach(() => {
	bakery = testBakery({ now: NOW });
});
afterEach(() => bakery.close());

async function refusedWith(call: Promise<unknown>): Promise<AppError> {
	const error = await call.then(
		() => null,
		(thrown: unknown) => thrown
	);
	if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`);
	return error;
}

const fields = (error: AppError) => (error.details.problems ?? []).map((problem) => problem.field);

describe('the staff list', () => {
	it('refuses a manager without a password or with a PIN, a PIN that is not digits, and a repeated name', async () => {
		expect(
			fields(await refusedWith(addStaff(bakery.db, NOW, { name: 'M', role: 'manager' })))
		).toEqual(['password']);
		const withPin = { name: 'M', role: 'manager', password: 'long enough pw', pin: '1234' };
		expect(fields(await refusedWith(addStaff(bakery.db, NOW, withPin)))).toEqual(['pin']);
		const letters = { name: 'S', role: 'staff', pin: '12ab' };
		expect(fields(await refusedWith(addStaff(bakery.db, NOW, letters)))).toEqual(['pin']);
		const unknown = { name: 'S', role: 'owner', pin: '1234', boss: true };
		expect(fields(await refusedWith(addStaff(bakery.db, NOW, unknown))).sort()).toEqual([
			'body',
			'role'
		]);

		await addStaff(bakery.db, NOW, { name: 'Rosa', role: 'staff', pin: '1234' });
		const twice = await refusedWith(
			addStaff(bakery.db, NOW, { name: 'ROSA', role: 'staff', pin: '9876' })
		);
		expect(twice.status).toBe(409);
	});

	it('signs in with a password or a PIN, and answers a wrong name and a wrong secret alike', async () => {
		await addStaff(bakery.db, NOW, {
			name: 'Rosa',
			role: 'staff',
			pin: '1234',
			password: 'rosa-long-password'
		});
		expect((await signIn(bakery.db, NOW, { name: 'rosa', secret: '1234' })).viewer).toMatchObject({
			kind: 'person',
			role: 'staff',
			label: 'Rosa'
		});
		expect(
			(await signIn(bakery.db, NOW, { name: 'Rosa', secret: 'rosa-long-password' })).viewer.role
		).toBe('staff');
		const wrongSecret = await refusedWith(signIn(bakery.db, NOW, { name: 'Rosa', secret: '4321' }));
		const wrongName = await refusedWith(signIn(bakery.db, NOW, { name: 'Nobody', secret: '1234' }));
		expect([wrongSecret.status, wrongSecret.message]).toEqual([
			wrongName.status,
			wrongName.message
		]);
		expect(wrongSecret.status).toBe(401);
	});

	it('ends every session of someone taken off, and keeps them out', async () => {
		const rosa = await addStaff(bakery.db, NOW, { name: 'Rosa', role: 'staff', pin: '1234' });
		const { token } = await signIn(bakery.db, NOW, { name: 'Rosa', secret: '1234' });
		expect(findViewer(bakery.db, token, NOW + 1000)).not.toBeNull();

		const { revoked } = await changeStaff(bakery.db, NOW, rosa.id, { active: false });
		expect(revoked).toHaveLength(1);
		expect(findViewer(bakery.db, token, NOW + 2000)).toBeNull();
		expect(
			(await refusedWith(signIn(bakery.db, NOW, { name: 'Rosa', secret: '1234' }))).status
		).toBe(401);
	});

	it('never takes off or demotes the last manager', async () => {
		expect(
			await ensureManager(bakery.db, NOW, { name: 'Mia', password: 'mia-long-password' })
		).toBe('created');
		expect(await ensureManager(bakery.db, NOW, { name: 'Other', password: 'other-password' })).toBe(
			'exists'
		);
		const [mia] = listStaff(bakery.db);

		const off = await refusedWith(changeStaff(bakery.db, NOW, mia!.id, { active: false }));
		const demoted = await refusedWith(
			changeStaff(bakery.db, NOW, mia!.id, { role: 'staff', pin: '1234' })
		);
		expect([off.status, off.code, demoted.code]).toEqual([409, 'last_manager', 'last_manager']);

		await addStaff(bakery.db, NOW, {
			name: 'Noor',
			role: 'manager',
			password: 'noor-long-password'
		});
		const { member } = await changeStaff(bakery.db, NOW, mia!.id, { active: false });
		expect(member.active).toBe(false);
	});
});

describe('sessions and pairing', () => {
	it('ends a person’s session after a shift, but keeps a paired screen until it is revoked', async () => {
		await addStaff(bakery.db, NOW, { name: 'Rosa', role: 'staff', pin: '1234' });
		const person = await signIn(bakery.db, NOW, { name: 'Rosa', secret: '1234' });
		expect(findViewer(bakery.db, person.token, NOW + PERSON_SESSION_MS - 1)).not.toBeNull();
		expect(findViewer(bakery.db, person.token, NOW + PERSON_SESSION_MS)).toBeNull();

		const { code } = issuePairingCode(bakery.db, NOW, {
			label: 'Oven wall',
			landing: '/kitchen',
			createdBy: null
		});
		const screen = pairScreen(bakery.db, NOW + 60_000, code.toLowerCase().replace('-', ' '));
		expect([screen.landing, screen.viewer.kind, screen.viewer.role]).toEqual([
			'/kitchen',
			'screen',
			'staff'
		]);
		const aYearOn = NOW + 365 * 24 * 3600_000;
		expect(findViewer(bakery.db, screen.token, aYearOn)?.label).toBe('Oven wall');

		expect(() => pairScreen(bakery.db, NOW + 120_000, code)).toThrow(/unknown, used or expired/);
		const late = issuePairingCode(bakery.db, NOW, {
			label: 'Late',
			landing: '/packing',
			createdBy: null
		});
		expect(() => pairScreen(bakery.db, NOW + PAIRING_CODE_MS, late.code)).toThrow(
			/unknown, used or expired/
		);
		expect(findViewer(bakery.db, 'not-a-token', NOW)).toBeNull();
	});
});

describe('who may open what', () => {
	it.each([
		['GET', '/order', 'public'],
		['GET', '/pickup', 'public'],
		['GET', '/track/abc', 'public'],
		['POST', '/api/orders', 'public'],
		['GET', '/api/orders', 'staff'],
		['GET', '/api/orders/12', 'staff'],
		['POST', '/api/orders/12/pack', 'staff'],
		['GET', '/kitchen', 'staff'],
		['GET', '/api/clock', 'staff'],
		['POST', '/api/clock', 'manager'],
		['GET', '/admin/staff', 'manager'],
		['DELETE', '/api/admin/sessions/ab', 'manager'],
		['GET', '/metrics', 'manager'],
		['GET', '/something-new', 'staff']
	] as const)('%s %s needs %s', (method, path, needed) => {
		expect(accessFor(method, path)).toBe(needed);
	});

	it.each([
		['/kitchen?x=1', '/kitchen?x=1'],
		['//evil.example', '/'],
		['/\\evil.example', '/'],
		['/\t/evil.example/phish', '/'],
		['/\n/evil.example', '/'],
		['https://evil.example', '/'],
		['/./../signin', '/'],
		['/signin?next=/x', '/'],
		[null, '/']
	])('sends %j back to %s after sign-in', (next, target) => {
		expect(safeNext(next)).toBe(target);
	});

	it('lets a manager do what staff do, and no one without a session past public', () => {
		expect([allows('manager', 'staff'), allows('staff', 'manager'), allows(null, 'staff')]).toEqual(
			[true, false, false]
		);
	});
});
