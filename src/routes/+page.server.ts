import { readSettings } from '$lib/server/settings';
import { runtime } from '$lib/server/runtime';

import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({ shopName: readSettings(runtime().db).shopName });
