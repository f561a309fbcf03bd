/** What a 412 on save means, and the way out: read the latest version (your edits stay in the form). */
export function ConflictNotice({ onReload }: { onReload: () => void }) {
  return (
    <div class="problem conflict" role="alert">
      <strong class="problem-title">Changed by someone else</strong>
      <p class="problem-detail">
        This item was changed since you opened it, so your save was refused (412 Precondition Failed) and nothing was overwritten. Load the latest version, then
        apply your changes again.
      </p>
      <button type="button" onClick={onReload}>
        Load latest version
      </button>
    </div>
  );
}
