/**
 * Words in a note or modifier that warn of an allergy or a diet, matched as whole words so that
 * "ready in 5 minutes" is not mistaken for "nuts". Screens show these in red.
 */
const ALLERGY =
	/\b(allerg\w*|anaphyla\w*|nuts?|nut-free|peanuts?|tree ?nuts?|almonds?|hazelnuts?|gluten(-free)?|coeliac|celiac|wheat|dairy(-free)?|lactose|milk|eggs?|egg-free|sesame|soya?|vegan|epipen)\b/i;

export function isAllergyNote(text: string): boolean {
	return ALLERGY.test(text);
}
