import { sql } from 'drizzle-orm';
import {
	check,
	index,
	integer,
	primaryKey,
	real,
	sqliteTable,
	text,
	uniqueIndex
} from 'drizzle-orm/sqlite-core';

// Relative, not $lib: drizzle-kit reads this file without SvelteKit's aliases.
import {
	DELIVERY_STATES,
	LINE_ROUTES,
	NOTICE_CHANNELS,
	ORDER_STATUSES,
	type NoticeChannel
} from '../../domain/order';

export type { DeliveryState, NoticeChannel } from '../../domain/order';
import type { LateReason, Shortage } from '../../planner/types';

/*
 * Instants are UTC epoch milliseconds (`*_at` columns); money is integer minor units with the
 * currency beside it; durations carry their unit in the name. Stock is never a number that gets
 * overwritten: it is the sum of a ledger of movements, each with its reason.
 */

export const INGREDIENT_UNITS = ['g', 'ml', 'each', 'cup'] as const;
export type IngredientUnit = (typeof INGREDIENT_UNITS)[number];

const createdAt = () => integer('created_at').notNull();

export const products = sqliteTable(
	'products',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		sku: text('sku').notNull().unique(),
		name: text('name').notNull(),
		category: text('category').notNull(),
		description: text('description').notNull().default(''),
		priceMinor: integer('price_minor').notNull(),
		currency: text('currency').notNull(),
		/** Tax rate in basis points (2000 = 20%). */
		taxRateBp: integer('tax_rate_bp').notNull().default(0),
		/** False for drinks and bought-in items: they go straight to the counter, no oven time. */
		baked: integer('baked', { mode: 'boolean' }).notNull(),
		unitsPerTray: integer('units_per_tray'),
		bakeMinutes: integer('bake_minutes'),
		bakeTempC: integer('bake_temp_c'),
		/** Mixing, shaping and proofing before the oven. */
		prepMinutes: integer('prep_minutes').notNull().default(0),
		coolMinutes: integer('cool_minutes').notNull().default(0),
		shelfLifeHours: integer('shelf_life_hours').notNull(),
		available: integer('available', { mode: 'boolean' }).notNull().default(true),
		/**
		 * A shop day (YYYY-MM-DD) the product is off the menu, set from the back office when it
		 * runs out or the oven is down: it comes back by itself the next day, unlike `available`.
		 */
		unavailableOn: text('unavailable_on'),
		sortOrder: integer('sort_order').notNull().default(0),
		createdAt: createdAt()
	},
	(table) => [
		check('products_price_not_negative', sql`${table.priceMinor} >= 0`),
		check(
			'products_baked_has_bake_settings',
			sql`${table.baked} = 0 OR (${table.unitsPerTray} > 0 AND ${table.bakeMinutes} > 0 AND ${table.bakeTempC} > 0)`
		)
	]
);

export const ingredients = sqliteTable('ingredients', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	code: text('code').notNull().unique(),
	name: text('name').notNull(),
	/**
	 * Base unit every quantity of this ingredient is counted in: g, ml or each, or cup for
	 * recipes kept by volume (imported spreadsheets), since a cup of flour has no one weight.
	 */
	unit: text('unit', { enum: INGREDIENT_UNITS }).notNull(),
	supplier: text('supplier').notNull().default(''),
	leadDays: integer('lead_days').notNull().default(1),
	createdAt: createdAt()
});

export const recipeItems = sqliteTable(
	'recipe_items',
	{
		productId: integer('product_id')
			.notNull()
			.references(() => products.id, { onDelete: 'cascade' }),
		ingredientId: integer('ingredient_id')
			.notNull()
			.references(() => ingredients.id),
		/** Amount of the ingredient, in its base unit, for one unit of the product. */
		quantityPerUnit: real('quantity_per_unit').notNull()
	},
	(table) => [
		primaryKey({ columns: [table.productId, table.ingredientId] }),
		check('recipe_quantity_positive', sql`${table.quantityPerUnit} > 0`)
	]
);

export const STOCK_REASONS = [
	'produce',
	/** Bought-in goods received from a supplier, entered from the back office. */
	'delivery',
	'reserve',
	'release',
	'consume',
	'adjust',
	'waste'
] as const;
export type StockReason = (typeof STOCK_REASONS)[number];

/**
 * Finished goods ledger. `onHandDelta` moves what is physically on the shelf; `reservedDelta`
 * moves what orders have claimed from it. Available = on hand - reserved.
 */
export const stockMovements = sqliteTable(
	'stock_movements',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		productId: integer('product_id')
			.notNull()
			.references(() => products.id),
		reason: text('reason', { enum: STOCK_REASONS }).notNull(),
		onHandDelta: integer('on_hand_delta').notNull().default(0),
		reservedDelta: integer('reserved_delta').notNull().default(0),
		orderId: integer('order_id').references(() => orders.id),
		note: text('note').notNull().default(''),
		at: integer('at').notNull()
	},
	(table) => [index('stock_movements_product').on(table.productId, table.at)]
);

/** Running totals of the ledger, kept in the same transaction; the checks make overdraw fail. */
export const productStock = sqliteTable(
	'product_stock',
	{
		productId: integer('product_id')
			.primaryKey()
			.references(() => products.id),
		onHand: integer('on_hand').notNull().default(0),
		reserved: integer('reserved').notNull().default(0)
	},
	(table) => [
		check('product_stock_on_hand_not_negative', sql`${table.onHand} >= 0`),
		check(
			'product_stock_reserved_within_on_hand',
			sql`${table.reserved} >= 0 AND ${table.reserved} <= ${table.onHand}`
		)
	]
);

export const INGREDIENT_REASONS = ['delivery', 'consume', 'adjust', 'waste'] as const;

export const ingredientMovements = sqliteTable(
	'ingredient_movements',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		ingredientId: integer('ingredient_id')
			.notNull()
			.references(() => ingredients.id),
		reason: text('reason', { enum: INGREDIENT_REASONS }).notNull(),
		delta: real('delta').notNull(),
		orderId: integer('order_id').references(() => orders.id),
		note: text('note').notNull().default(''),
		at: integer('at').notNull()
	},
	(table) => [index('ingredient_movements_ingredient').on(table.ingredientId, table.at)]
);

export const ovens = sqliteTable(
	'ovens',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		name: text('name').notNull().unique(),
		kind: text('kind').notNull(),
		capacityTrays: integer('capacity_trays').notNull(),
		minTempC: integer('min_temp_c').notNull(),
		maxTempC: integer('max_temp_c').notNull(),
		/** Minutes to heat up or cool down when the next load needs another temperature. */
		changeoverMinutes: integer('changeover_minutes').notNull(),
		active: integer('active', { mode: 'boolean' }).notNull().default(true)
	},
	(table) => [
		check('ovens_capacity_positive', sql`${table.capacityTrays} > 0`),
		check('ovens_temperature_range', sql`${table.minTempC} <= ${table.maxTempC}`)
	]
);

/** When customers can collect. `scope` separates shop hours from bakehouse (oven) hours. */
export const openingHours = sqliteTable(
	'opening_hours',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		scope: text('scope', { enum: ['shop', 'bakehouse'] }).notNull(),
		weekday: integer('weekday').notNull(),
		opensMinute: integer('opens_minute').notNull(),
		closesMinute: integer('closes_minute').notNull()
	},
	(table) => [
		check('opening_hours_weekday', sql`${table.weekday} BETWEEN 1 AND 7`),
		check(
			'opening_hours_interval',
			sql`${table.opensMinute} >= 0 AND ${table.opensMinute} < ${table.closesMinute} AND ${table.closesMinute} <= 1440`
		)
	]
);

/** Shop settings as JSON values, read through one typed module. */
export const settings = sqliteTable('settings', {
	key: text('key').primaryKey(),
	value: text('value', { mode: 'json' }).notNull()
});

/** Lateness of a line or order that cannot be made at all; SQLite integers have no infinity. */
export const CANNOT_MAKE = -1;

export const orders = sqliteTable(
	'orders',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		/** Short number staff call out and the pickup board shows; unique within a shop day. */
		number: text('number').notNull(),
		/** The shop day the order is for (its pickup or delivery day), which numbers count in. */
		businessDate: text('business_date').notNull(),
		channel: text('channel').notNull(),
		externalId: text('external_id'),
		idempotencyKey: text('idempotency_key').unique(),
		/** Hash of the request that created the order, to spot a key reused for another order. */
		requestHash: text('request_hash').notNull(),
		status: text('status', { enum: ORDER_STATUSES }).notNull(),
		/** Bumped on every change; commands name the version they expect. */
		version: integer('version').notNull().default(1),
		customerName: text('customer_name').notNull(),
		customerEmail: text('customer_email'),
		customerPhone: text('customer_phone'),
		fulfillmentType: text('fulfillment_type', { enum: ['pickup', 'delivery'] }).notNull(),
		fulfillmentAt: integer('fulfillment_at').notNull(),
		deliveryAddress: text('delivery_address', { mode: 'json' }).$type<DeliveryAddress>(),
		note: text('note').notNull().default(''),
		totalMinor: integer('total_minor').notNull(),
		currency: text('currency').notNull(),
		trackingToken: text('tracking_token').notNull().unique(),
		promisedAt: integer('promised_at'),
		/**
		 * The time the customer asked for; null when they asked for as soon as possible (walk-ins,
		 * most counter orders). Fulfillment time is measured on the as-soon-as-possible ones.
		 */
		requestedAt: integer('requested_at'),
		/** From the latest plan; null when nothing is left to bake. */
		estimatedReadyAt: integer('estimated_ready_at'),
		/** Minutes the plan says the order will be late; -1 when it cannot be made at all. */
		lateMinutes: integer('late_minutes').notNull().default(0),
		packedAt: integer('packed_at'),
		/** Whether every line went into the box at the count ordered, the first time. */
		packedRight: integer('packed_right', { mode: 'boolean' }),
		/** What the client said about itself (its clock, user agent); never trusted for logic. */
		clientMeta: text('client_meta', { mode: 'json' }).$type<Record<string, unknown>>(),
		createdAt: createdAt(),
		updatedAt: integer('updated_at').notNull(),
		cancelledAt: integer('cancelled_at'),
		cancelReason: text('cancel_reason'),
		/** Which channels the customer wants notices on; null = every channel their details allow. */
		notifyChannels: text('notify_channels', { mode: 'json' }).$type<NoticeChannel[]>(),
		/** When it was handed over: collected at the counter or delivered by the courier. */
		completedAt: integer('completed_at'),
		/** What the payment side last said when it refused, shown to staff until it is paid. */
		paymentProblem: text('payment_problem'),
		/** 1 to 5 from the rating link, with its comment. */
		rating: integer('rating'),
		ratingComment: text('rating_comment'),
		ratedAt: integer('rated_at')
	},
	(table) => [
		uniqueIndex('orders_channel_external_id').on(table.channel, table.externalId),
		uniqueIndex('orders_business_date_number').on(table.businessDate, table.number),
		index('orders_status').on(table.status, table.fulfillmentAt),
		check('orders_total_not_negative', sql`${table.totalMinor} >= 0`)
	]
);

export interface DeliveryAddress {
	line1: string;
	line2?: string;
	city: string;
	postcode: string;
}

export const orderLines = sqliteTable(
	'order_lines',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		orderId: integer('order_id')
			.notNull()
			.references(() => orders.id),
		position: integer('position').notNull(),
		productId: integer('product_id')
			.notNull()
			.references(() => products.id),
		/** Name and price as sold, so a later menu change does not rewrite history. */
		sku: text('sku').notNull(),
		name: text('name').notNull(),
		quantity: integer('quantity').notNull(),
		unitPriceMinor: integer('unit_price_minor').notNull(),
		modifiers: text('modifiers', { mode: 'json' }).$type<string[]>().notNull(),
		note: text('note').notNull().default(''),
		/** stock: all from the shelf; bake: baked fresh; procure: waits for an ingredient; counter: not baked. */
		route: text('route', { enum: LINE_ROUTES }).notNull().default('bake'),
		/** Units of this line held from finished goods on hand. */
		reservedUnits: integer('reserved_units').notNull().default(0),
		/** From the latest plan: when the baked units are cooled, and how late that is. */
		readyAt: integer('ready_at'),
		lateMinutes: integer('late_minutes').notNull().default(0),
		lateReason: text('late_reason', { mode: 'json' }).$type<LateReason>(),
		shortages: text('shortages', { mode: 'json' }).$type<Shortage[]>().notNull().default([]),
		/** What the packer put in the box, when it was packed. */
		packedQuantity: integer('packed_quantity')
	},
	(table) => [
		index('order_lines_order').on(table.orderId, table.position),
		check('order_lines_quantity_positive', sql`${table.quantity} > 0`)
	]
);

export const orderStatusHistory = sqliteTable(
	'order_status_history',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		orderId: integer('order_id')
			.notNull()
			.references(() => orders.id),
		fromStatus: text('from_status', { enum: ORDER_STATUSES }),
		toStatus: text('to_status', { enum: ORDER_STATUSES }).notNull(),
		actor: text('actor').notNull(),
		reason: text('reason').notNull().default(''),
		at: integer('at').notNull()
	},
	(table) => [index('order_status_history_order').on(table.orderId, table.at)]
);

/**
 * Append-only log of every change screens care about. `seq` only grows (AUTOINCREMENT never
 * reuses a number), so a screen that remembers the last one it applied can ask for the rest.
 */
export const events = sqliteTable(
	'events',
	{
		seq: integer('seq').primaryKey({ autoIncrement: true }),
		type: text('type').notNull(),
		orderId: integer('order_id'),
		payload: text('payload', { mode: 'json' }).notNull(),
		at: integer('at').notNull()
	},
	(table) => [index('events_order').on(table.orderId)]
);

/** Named counters, such as the order number of each shop day. */
export const counters = sqliteTable('counters', {
	name: text('name').primaryKey(),
	value: integer('value').notNull()
});

export const LOAD_STATUSES = ['planned', 'prepping', 'baking', 'done', 'cancelled'] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

/**
 * Oven loads: the planner rewrites the `planned` ones on every replan; a load whose prep or bake
 * has started is fixed, and the planner works around it.
 */
export const ovenLoads = sqliteTable(
	'oven_loads',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		ovenId: integer('oven_id')
			.notNull()
			.references(() => ovens.id),
		status: text('status', { enum: LOAD_STATUSES }).notNull(),
		prepStartAt: integer('prep_start_at').notNull(),
		startAt: integer('start_at').notNull(),
		endAt: integer('end_at').notNull(),
		tempC: integer('temp_c').notNull(),
		planVersion: integer('plan_version').notNull(),
		version: integer('version').notNull().default(1),
		startedAt: integer('started_at'),
		finishedAt: integer('finished_at')
	},
	(table) => [index('oven_loads_status').on(table.status, table.startAt)]
);

export const loadTrays = sqliteTable(
	'load_trays',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		loadId: integer('load_id')
			.notNull()
			.references(() => ovenLoads.id, { onDelete: 'cascade' }),
		position: integer('position').notNull(),
		productId: integer('product_id')
			.notNull()
			.references(() => products.id),
		units: integer('units').notNull()
	},
	(table) => [index('load_trays_load').on(table.loadId)]
);

/** Which order lines each tray feeds, and with how many units. */
export const trayFeeds = sqliteTable(
	'tray_feeds',
	{
		trayId: integer('tray_id')
			.notNull()
			.references(() => loadTrays.id, { onDelete: 'cascade' }),
		orderId: integer('order_id')
			.notNull()
			.references(() => orders.id),
		orderLineId: integer('order_line_id')
			.notNull()
			.references(() => orderLines.id),
		units: integer('units').notNull()
	},
	(table) => [
		primaryKey({ columns: [table.trayId, table.orderLineId] }),
		index('tray_feeds_line').on(table.orderLineId)
	]
);

export const NOTICE_KINDS = [
	'confirmed',
	'changed',
	'ready',
	'out_for_delivery',
	'completed',
	'cancelled'
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_STATES = ['pending', 'sent', 'failed', 'skipped'] as const;

/**
 * The notifications outbox. A row is written in the same transaction as the change it
 * announces, and a dispatcher renders and sends it; `dedupe_key` makes a change announce
 * itself once per channel however often it is retried.
 */
export const notifications = sqliteTable(
	'notifications',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		orderId: integer('order_id').references(() => orders.id),
		kind: text('kind', { enum: NOTICE_KINDS }).notNull(),
		channel: text('channel', { enum: NOTICE_CHANNELS }).notNull(),
		recipient: text('recipient').notNull(),
		/** The facts the notice tells, as they were when the change was committed. */
		data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		/** Rendered from the channel's template when sent. */
		subject: text('subject').notNull().default(''),
		body: text('body').notNull().default(''),
		dedupeKey: text('dedupe_key').notNull().unique(),
		state: text('state', { enum: NOTICE_STATES }).notNull().default('pending'),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: integer('next_attempt_at').notNull(),
		/** Set while a dispatcher holds the row, so two dispatchers never send it both. */
		claimedUntil: integer('claimed_until'),
		lastError: text('last_error'),
		providerRef: text('provider_ref'),
		createdAt: createdAt(),
		sentAt: integer('sent_at')
	},
	(table) => [
		index('notifications_due').on(table.state, table.nextAttemptAt),
		index('notifications_order').on(table.orderId)
	]
);

export const PAYMENT_METHODS = ['cash', 'card'] as const;
export const PAYMENT_ROW_STATES = [
	'authorized',
	'captured',
	'recorded',
	'declined',
	'voided',
	'refunded'
] as const;

/**
 * Every money movement, never updated into another meaning: an authorisation that is captured
 * becomes `captured`; a refund is a row of its own with a negative amount.
 */
export const payments = sqliteTable(
	'payments',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		orderId: integer('order_id')
			.notNull()
			.references(() => orders.id),
		method: text('method', { enum: PAYMENT_METHODS }).notNull(),
		state: text('state', { enum: PAYMENT_ROW_STATES }).notNull(),
		amountMinor: integer('amount_minor').notNull(),
		currency: text('currency').notNull(),
		provider: text('provider'),
		providerRef: text('provider_ref'),
		/** For a refund, the payment it gives back. */
		refundOf: integer('refund_of'),
		reason: text('reason').notNull().default(''),
		at: integer('at').notNull()
	},
	(table) => [index('payments_order').on(table.orderId)]
);

/**
 * One row per order line handed over (kind `sale`), and one per line given back (kind `refund`,
 * negative quantity and amounts). Prices include tax; `tax_minor` is the tax inside the gross.
 */
export const sales = sqliteTable(
	'sales',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		kind: text('kind', { enum: ['sale', 'refund'] }).notNull(),
		orderId: integer('order_id')
			.notNull()
			.references(() => orders.id),
		orderLineId: integer('order_line_id')
			.notNull()
			.references(() => orderLines.id),
		productId: integer('product_id')
			.notNull()
			.references(() => products.id),
		sku: text('sku').notNull(),
		channel: text('channel').notNull(),
		quantity: integer('quantity').notNull(),
		unitPriceMinor: integer('unit_price_minor').notNull(),
		grossMinor: integer('gross_minor').notNull(),
		taxMinor: integer('tax_minor').notNull(),
		taxRateBp: integer('tax_rate_bp').notNull(),
		currency: text('currency').notNull(),
		businessDate: text('business_date').notNull(),
		reason: text('reason').notNull().default(''),
		at: integer('at').notNull()
	},
	(table) => [
		index('sales_business_date').on(table.businessDate),
		index('sales_order').on(table.orderId)
	]
);

/** A delivery handed to the courier service, and what its status webhooks said. */
export const deliveries = sqliteTable('deliveries', {
	id: integer('id').primaryKey({ autoIncrement: true }),
	orderId: integer('order_id')
		.notNull()
		.unique()
		.references(() => orders.id),
	provider: text('provider').notNull(),
	externalId: text('external_id').notNull().unique(),
	state: text('state', { enum: DELIVERY_STATES }).notNull(),
	trackingUrl: text('tracking_url'),
	courierName: text('courier_name'),
	/** When the courier is expected at the shop, and at the door. */
	pickupEta: integer('pickup_eta'),
	dropoffEta: integer('dropoff_eta'),
	failureReason: text('failure_reason'),
	/** Webhook deliveries already applied, so a repeat changes nothing. */
	lastEventAt: integer('last_event_at'),
	createdAt: createdAt(),
	updatedAt: integer('updated_at').notNull()
});

export const ROLES = ['manager', 'staff'] as const;
export type Role = (typeof ROLES)[number];

/**
 * People who sign in. A manager signs in with a password; staff with a password or a short PIN
 * (the limiter on sign-in is what makes a PIN safe). Only slow hashes are stored.
 */
export const staffMembers = sqliteTable(
	'staff_members',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		name: text('name').notNull(),
		role: text('role', { enum: ROLES }).notNull(),
		passwordHash: text('password_hash'),
		pinHash: text('pin_hash'),
		active: integer('active', { mode: 'boolean' }).notNull().default(true),
		createdAt: createdAt()
	},
	(table) => [
		uniqueIndex('staff_members_name').on(sql`lower(${table.name})`),
		check('staff_members_role', sql`${table.role} in ('manager', 'staff')`)
	]
);

/**
 * A signed-in browser: a person's (which expires) or a paired wall screen's (which stays until
 * revoked). The cookie holds a random token; only its SHA-256 is kept here.
 */
export const sessions = sqliteTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		kind: text('kind', { enum: ['person', 'screen'] }).notNull(),
		staffId: integer('staff_id').references(() => staffMembers.id),
		/** The person's name, or the screen's ("Oven wall"). */
		label: text('label').notNull(),
		role: text('role', { enum: ROLES }).notNull(),
		createdAt: createdAt(),
		lastSeenAt: integer('last_seen_at').notNull(),
		expiresAt: integer('expires_at'),
		revokedAt: integer('revoked_at')
	},
	(table) => [index('sessions_staff').on(table.staffId)]
);

/** One-time codes a manager issues to pair a wall screen; only their SHA-256 is kept. */
export const pairingCodes = sqliteTable('pairing_codes', {
	id: text('id').primaryKey(),
	label: text('label').notNull(),
	/** Where the screen opens once paired, such as /kitchen. */
	landing: text('landing').notNull(),
	createdBy: integer('created_by').references(() => staffMembers.id),
	createdAt: createdAt(),
	expiresAt: integer('expires_at').notNull(),
	usedAt: integer('used_at'),
	sessionId: text('session_id')
});

export const INBOX_PLATFORMS = ['shopify', 'square', 'woocommerce'] as const;
export type InboxPlatform = (typeof INBOX_PLATFORMS)[number];

/**
 * pending: to process (again at `nextAttemptAt` after a failure); done: applied; ignored: nothing
 * to do (an old version, a cancellation of an order we never had); failed: refused for good
 * (an unknown SKU, a time the shop is closed), kept with its error for a person to act on.
 */
export const INBOX_STATES = ['pending', 'done', 'ignored', 'failed'] as const;
export type InboxState = (typeof INBOX_STATES)[number];

/**
 * Every verified webhook delivery from a shop platform, written in one insert before the answer,
 * so a platform's order survives a crash between our 200 and the work. The unique key on the
 * platform's delivery id makes a repeated delivery, even one arriving at the same moment, one row.
 */
export const platformInbox = sqliteTable(
	'platform_inbox',
	{
		id: integer('id').primaryKey({ autoIncrement: true }),
		platform: text('platform', { enum: INBOX_PLATFORMS }).notNull(),
		/** X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID or Square's event_id. */
		deliveryId: text('delivery_id').notNull(),
		topic: text('topic').notNull(),
		platformOrderId: text('platform_order_id'),
		/** Square's order version; the others' update time in epoch ms. Newer wins. */
		version: integer('version'),
		rawBody: text('raw_body').notNull(),
		state: text('state', { enum: INBOX_STATES }).notNull().default('pending'),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		nextAttemptAt: integer('next_attempt_at').notNull(),
		/** A process working on the row holds it until then, so two never process one. */
		leaseUntil: integer('lease_until'),
		orderId: integer('order_id').references(() => orders.id),
		/** The version this row brought our order to, once done; later rows compare with it. */
		appliedVersion: integer('applied_version'),
		receivedAt: integer('received_at').notNull(),
		processedAt: integer('processed_at')
	},
	(table) => [
		uniqueIndex('platform_inbox_delivery').on(table.platform, table.deliveryId),
		index('platform_inbox_due').on(table.state, table.nextAttemptAt),
		index('platform_inbox_order').on(table.platform, table.platformOrderId)
	]
);
