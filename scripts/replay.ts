/**
 * `npm run replay -- --source <csv> --date <yyyy-MM-dd> [--speed max|N] [--preorder-share F]`
 *
 * Replays one day of a real bakery's till through the product: the built server on a simulated
 * clock, orders through its HTTP API, bakers and packers simulated through the screens' own
 * commands. Prints the day's summary and writes it to reports/replay-<date>.json and .md.
 *
 * Options: --seed N (which sales are pre-orders; default 1), --port N (default 3000 when
 * watching, a free one at max speed), --zone <IANA> (default from the file's format),
 * --mapping <json> (till names to SKUs), --out <dir> (default reports), --keep (leave the
 * server running afterwards, to look at the screens and the reports page).
 */
import { parseArgs } from 'node:util';

import { z } from 'zod';

import { ReplayError, replay, summaryMarkdown } from '../src/lib/replay/run';
import { SourceError } from '../src/lib/replay/sources';
import { isShopDate } from '../src/lib/domain/shop-time';

const { values } = parseArgs({
	options: {
		source: { type: 'string' },
		date: { type: 'string' },
		speed: { type: 'string', default: 'max' },
		'preorder-share': { type: 'string', default: '0.3' },
		seed: { type: 'string', default: '1' },
		port: { type: 'string' },
		zone: { type: 'string' },
		mapping: { type: 'string' },
		out: { type: 'string', default: 'reports' },
		keep: { type: 'boolean', default: false }
	},
	strict: true
});

const options = z
	.object({
		source: z.string({
			error: 'is required: the sales CSV, such as ../shared/data/BreadBasket_DMS.csv'
		}),
		date: z
			.string({ error: 'is required: the day to replay, such as 2017-02-04' })
			.refine(isShopDate, 'use yyyy-MM-dd, such as 2017-02-04'),
		speed: z.union([z.literal('max'), z.coerce.number().positive().max(10_000)], {
			error: 'use max, or how many times faster than real time (60 = an hour a minute)'
		}),
		'preorder-share': z.coerce
			.number({ error: 'use a share from 0 to 1, such as 0.3' })
			.min(0, 'use 0 to 1')
			.max(1, 'use 0 to 1'),
		seed: z.coerce.number({ error: 'use a whole number' }).int('use a whole number'),
		port: z.coerce.number().int().min(0).max(65535).optional(),
		zone: z.string().optional(),
		mapping: z.string().optional(),
		out: z.string(),
		keep: z.boolean()
	})
	.safeParse(values);

if (!options.success) {
	for (const issue of options.error.issues)
		console.error(`--${String(issue.path[0])}: ${issue.message}`);
	process.exit(2);
}

const given = options.data;
const watching = given.speed !== 'max';
const port = given.port ?? (watching ? 3000 : 0);

try {
	const summary = await replay({
		source: given.source,
		date: given.date,
		pace: given.speed === 'max' ? { kind: 'max' } : { kind: 'watch', speed: given.speed },
		preorderShare: given['preorder-share'],
		seed: given.seed,
		port,
		outDir: given.out,
		zone: given.zone,
		mappingFile: given.mapping,
		keep: given.keep,
		say: (line) => console.log(line),
		onServer: async (url, manager) => {
			if (!watching && !given.keep) return;
			const base = url.replace('127.0.0.1', 'localhost');
			console.log(`\nThe replay's bakery is open at ${base}; watch it on:`);
			console.log(
				`  (sign in at ${base}/signin as "${manager.name}", password ${manager.password})`
			);
			for (const page of ['/kitchen', '/packing', '/pickup', '/orders', '/admin/reports']) {
				console.log(`  ${base}${page}`);
			}
			if (watching) {
				console.log('\nThe day starts in 10 seconds: open the screens now.\n');
				await new Promise((resolve) => setTimeout(resolve, 10_000));
			}
		}
	});
	console.log(`\n${summaryMarkdown(summary)}\n`);
	console.log(`written ${given.out}/replay-${given.date}.json and .md`);
	process.exit(summary.check.nothingLost ? 0 : 1);
} catch (error) {
	if (error instanceof ReplayError || error instanceof SourceError) {
		console.error(error.message);
		process.exit(2);
	}
	throw error;
}
