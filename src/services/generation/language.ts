import type { Language } from '../text/analyzer';

export type AnswerLanguage = Language;

// One detector serves retrieval and answers alike, so a question is stemmed and answered in the same language.
export { detectLanguage } from '../text/analyzer';

const NO_ANSWER: Record<AnswerLanguage, string> = {
  en:
    "The documentation I can search does not cover this question, so I won't guess an answer. " +
    'Please contact your IT service desk, who can help you directly.',
  fr:
    'La documentation que je peux consulter ne couvre pas cette question, je préfère donc ne pas deviner. ' +
    "Veuillez contacter votre service d'assistance informatique, qui pourra vous aider directement.",
};

/** The whole answer when no passage supports the question: it says so and sends the user to human IT support. */
export function noAnswerText(language: AnswerLanguage): string {
  return NO_ANSWER[language];
}
