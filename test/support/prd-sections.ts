/** Every section a whole PRD version shows, in the order the Markdown export writes them. */
export const PRD_SECTIONS = [
  'Problem',
  'Goals',
  'Non-goals',
  'User stories',
  'Functional requirements',
  'Non-functional requirements',
  'Success metrics',
  'Assumptions',
  'Risks',
  'Open questions',
  'Feedback so far',
  'Clarifications used',
  'Original request',
  'Change log',
  'Written by',
] as const;

/** The sections of `sections` a rendered page lacks: a page names each as a heading or a labelled line. */
export function sectionsMissingFrom(page: string, sections: readonly string[] = PRD_SECTIONS): string[] {
  return sections.filter((section) => !new RegExp(`<h4>${section}</h4>|<strong>${section}:</strong>`).test(page));
}
