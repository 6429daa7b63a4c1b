import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/*
 * Passwords and PINs are stored as scrypt hashes (Node's own, memory-hard). The parameters are
 * written into each hash, so they can be raised later without breaking the ones already stored.
 * About 50 ms per check on a small machine: slow for someone guessing offline, unnoticed by a
 * person signing in.
 */
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		scrypt(
			secret.normalize('NFKC'),
			salt,
			KEY_LENGTH,
			{ ...options, maxmem: 256 * options.N! * options.r! },
			(error, key) => (error ? reject(error) : resolve(key))
		);
	});
}

export async function hashSecret(secret: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await derive(secret, salt, { N: COST, r: BLOCK_SIZE, p: 1 });
	return ['scrypt', COST, BLOCK_SIZE, 1, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, key] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !key) return false;
	const expected = Buffer.from(key, 'base64');
	const actual = await derive(secret, Buffer.from(salt, 'base64'), {
		N: Number(n),
		r: Number(r),
		p: Number(p)
	});
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A stored hash to check against when the name is unknown, so both cases take as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
	return (decoy ??= hashSecret(randomBytes(12).toString('hex')));
}
