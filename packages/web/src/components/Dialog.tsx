import { useEffect, type ReactNode, type SyntheticEvent } from 'react';

/** A modal form over the app; Escape closes it. */
export function Dialog(props: {
  title: string;
  testId: string;
  onClose: () => void;
  onSubmit?: (e: SyntheticEvent) => void;
  children: ReactNode;
}): React.JSX.Element {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [onClose]);
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSubmit?.(e);
        }}
        data-testid={props.testId}
        aria-label={props.title}
      >
        <header className="dialog-head">
          <h2>{props.title}</h2>
          <button
            type="button"
            className="icon"
            onClick={onClose}
            aria-label="Close"
            data-testid="close-dialog"
          >
            ×
          </button>
        </header>
        {props.children}
      </form>
    </div>
  );
}
