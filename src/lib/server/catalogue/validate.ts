/**
 * Settings that would make a plan impossible, found before they are saved: a product hotter or
 * colder than every oven, a baked product without tray size or bake time, a week without any
 * bakehouse hours. Each problem names the item and what to change.
 */

export interface CatalogueProduct {
	sku: string;
	baked: boolean;
	unitsPerTray?: number | null;
	bakeMinutes?: number | null;
	bakeTempC?: number | null;
}

export interface CatalogueOven {
	name: string;
	capacityTrays: number;
	minTempC: number;
	maxTempC: number;
}

export function catalogueProblems(
	products: CatalogueProduct[],
	ovens: CatalogueOven[],
	bakehouseDays: number[]
): string[] {
	const problems: string[] = [];
	for (const oven of ovens) {
		if (!(oven.capacityTrays > 0))
			problems.push(`oven ${oven.name}: capacity must be at least 1 tray`);
		if (oven.minTempC > oven.maxTempC) {
			problems.push(
				`oven ${oven.name}: lowest temperature ${oven.minTempC}°C is above its highest ${oven.maxTempC}°C`
			);
		}
	}
	for (const product of products.filter((entry) => entry.baked)) {
		const where = `product ${product.sku}`;
		if (!product.unitsPerTray || product.unitsPerTray < 1)
			problems.push(`${where}: units per tray must be at least 1`);
		if (!product.bakeMinutes || product.bakeMinutes < 1)
			problems.push(`${where}: bake minutes must be at least 1`);
		const temp = product.bakeTempC ?? 0;
		if (!ovens.some((oven) => oven.minTempC <= temp && temp <= oven.maxTempC)) {
			const ranges = ovens
				.map((oven) => `${oven.name} ${oven.minTempC}-${oven.maxTempC}°C`)
				.join(', ');
			problems.push(
				`${where}: no oven reaches ${temp}°C (${ranges || 'no ovens'}); change its temperature or add an oven`
			);
		}
	}
	if (products.some((entry) => entry.baked) && bakehouseDays.length === 0) {
		problems.push(
			'bakehouse hours: none on any day, so nothing can be baked; add the hours the ovens run'
		);
	}
	return problems;
}
