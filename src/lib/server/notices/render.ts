import fs from 'node:fs';
import path from 'node:path';

import Mustache from 'mustache';

import { formatMoney } from '../../domain/order';
import { formatShopTime } from '../../domain/shop-time';
import type { NoticeChannel, NoticeKind } from '../db/schema';
import type { NoticeFacts } from './outbox';

export interface RenderContext {
	shopName: string;
	/** The address customers reach the shop's pages at, for links. */
	origin: string;
	zone: string;
	templatesDir: string;
}

export interface RenderedNotice {
	subject: string;
	body: string;
}

/** Plain text: nothing in a notice is HTML, so nothing is escaped. */
const PLAIN = { escape: (value: unknown) => String(value) };

function whenText(instant: number | null | undefined, zone: string): string {
	return instant ? formatShopTime(instant, zone, "EEEE d MMMM 'at' HH:mm") : '';
}

/** The values a template can use; the templates' README lists them for the shop. */
export function templateValues(facts: NoticeFacts, context: RenderContext) {
	const link = (route: string) => `${context.origin.replace(/\/$/, '')}${route}`;
	return {
		shopName: context.shopName,
		firstName: facts.customerName.split(/\s+/)[0] ?? facts.customerName,
		number: facts.number,
		items: facts.items.map((item) => `${item.quantity} × ${item.name}`).join('\n'),
		total: formatMoney(facts.totalMinor, facts.currency),
		promisedTime: whenText(facts.promisedAt, context.zone),
		expectedTime: whenText(facts.expectedAt, context.zone),
		reason: facts.reason ?? '',
		trackingLink: link(`/track/${facts.trackingToken}`),
		ratingLink: link(`/rate/${facts.trackingToken}`),
		courierLink: facts.courierTrackingUrl ?? '',
		isDelivery: facts.fulfillmentType === 'delivery',
		unpaid: facts.paymentState === 'unpaid',
		paid: facts.paymentState === 'paid'
	};
}

function templateFile(context: RenderContext, kind: NoticeKind, channel: NoticeChannel): string {
	const file = path.join(context.templatesDir, `${kind}.${channel}.txt`);
	try {
		return fs.readFileSync(file, 'utf8');
	} catch (error) {
		throw new Error(`notice template ${file} cannot be read: ${(error as Error).message}`, {
			cause: error
		});
	}
}

/** Blank lines left by empty sections fold into one, so a notice never has holes in it. */
function tidy(text: string): string {
	return text.replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Renders a notice from its template file. Templates are read at each send, so a shop that
 * edits one sees the change on the next notice without a restart.
 */
export function renderNotice(
	kind: NoticeKind,
	channel: Exclude<NoticeChannel, 'webhook'>,
	facts: NoticeFacts,
	context: RenderContext
): RenderedNotice {
	const text = Mustache.render(
		templateFile(context, kind, channel),
		templateValues(facts, context),
		{},
		PLAIN
	);
	if (channel === 'sms') return { subject: '', body: tidy(text) };
	const match = /^Subject:[ \t]*(.*)\r?\n/i.exec(text);
	if (!match) throw new Error(`notice template ${kind}.email.txt must start with "Subject: "`);
	return { subject: match[1]!.trim(), body: tidy(text.slice(match[0].length)) };
}
