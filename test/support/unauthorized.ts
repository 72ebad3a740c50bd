/** What every JSON 401 answers, word for word: what to send, and nothing about whether a token exists. */
export const UNAUTHORIZED = {
  error: 'unauthorized',
  message: 'Send a valid token in the Authorization header: "Authorization: Bearer <token>".',
};
