import { UNREACHABLE, type ApiError } from './api';
import { refusalDetail, shownCode } from './refusals';

/**
 * A refusal's code (and field), small after its sentence, for the IT team to quote when it reports one; the server's
 * own message on hover. None when no server answered: there is no code to quote. `className`: the chat's styles are
 * prefixed (`ad-error-code`), as it is embedded in other sites' pages; the console's and dashboard's are not.
 */
export function RefusalCode({ error, className }: { error: ApiError; className: string }) {
  if (shownCode(error.code) === UNREACHABLE) return null;
  return (
    <>
      {' '}
      <small class={className} data-testid="error-code" title={error.message}>
        {refusalDetail(error)}
      </small>
    </>
  );
}
