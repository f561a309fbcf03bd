import { useRef, useState } from 'preact/hooks';

/** A secret the API shows only this once (a new key, a webhook secret), with a copy button. */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  // The Clipboard API exists only in secure contexts (HTTPS, localhost); a console opened over
  // plain HTTP by another address copies the selected field the older way.
  const copy = async () => {
    if (navigator.clipboard) await navigator.clipboard.writeText(secret);
    else {
      field.current!.select();
      if (!document.execCommand('copy')) throw new Error('copy refused');
    }
    setCopied(true);
  };
  return (
    <div class="secret-once" role="status">
      <p>
        <strong>{label}</strong>: shown only this once. Store it now; Strata keeps only a hash.
      </p>
      <div class="row">
        <input ref={field} class="secret-value" readOnly value={secret} aria-label={label} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={() => void copy().catch(() => setCopied(false))}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" class="secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
