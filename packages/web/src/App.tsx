import { useCallback, useState, type SyntheticEvent } from 'react';
import { login, loadSession, register, saveSession, type Session } from './http.js';
import { Messenger } from './Messenger.js';
import { useTheme } from './hooks/useTheme.js';
import { ThemeToggle } from './components/ThemeToggle.js';

export function App(): React.JSX.Element {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [notice, setNotice] = useState('');
  const { theme, next } = useTheme();
  const signedOut = useCallback((reason: string) => {
    saveSession(undefined);
    setNotice(reason);
    setSession(undefined);
  }, []);

  if (session === undefined) {
    return (
      <AuthForm
        notice={notice}
        toggle={<ThemeToggle theme={theme} onNext={next} />}
        onSession={(s) => {
          saveSession(s);
          setNotice('');
          setSession(s);
        }}
      />
    );
  }
  return (
    <Messenger
      key={session.token}
      session={session}
      theme={theme}
      onNextTheme={next}
      onSignedOut={signedOut}
    />
  );
}

function AuthForm(props: {
  notice: string;
  toggle: React.ReactNode;
  onSession: (s: Session) => void;
}): React.JSX.Element {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError('');
    (mode === 'login' ? login(username.trim(), password) : register(username.trim(), password))
      .then(props.onSession)
      .catch((err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setBusy(false);
      });
  };

  return (
    <main className="auth">
      <form className="auth-card" onSubmit={submit} data-testid="auth-form">
        <header className="auth-head">
          <h1>Parley</h1>
          {props.toggle}
        </header>
        <div className="tabs">
          <button
            type="button"
            className={mode === 'login' ? 'active' : ''}
            onClick={() => {
              setMode('login');
            }}
          >
            Sign in
          </button>
          <button
            type="button"
            className={mode === 'register' ? 'active' : ''}
            onClick={() => {
              setMode('register');
            }}
            data-testid="show-register"
          >
            Register
          </button>
        </div>
        <label>
          Username
          <input
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => {
              setUsername(e.target.value);
            }}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
            }}
            required
          />
        </label>
        <button type="submit" disabled={busy} data-testid="auth-submit">
          {mode === 'login' ? 'Sign in' : 'Create account'}
        </button>
        {error !== '' && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {props.notice !== '' && error === '' && <p className="notice">{props.notice}</p>}
      </form>
    </main>
  );
}
