import { useState, type SyntheticEvent } from 'react';
import type { LocationView } from '../model.js';

const GEO_TIMEOUT_MS = 10_000;

/**
 * Share a place: the browser's position (navigator.geolocation) fills the fields, or they are
 * typed by hand when the position is unavailable or refused.
 */
export function LocationDialog(props: {
  onSend: (location: LocationView) => void;
  onClose: () => void;
}): React.JSX.Element {
  const [latitude, setLatitude] = useState('');
  const [longitude, setLongitude] = useState('');
  const [title, setTitle] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const locate = (): void => {
    if (!('geolocation' in navigator)) {
      setError('This browser cannot tell the location; enter it by hand.');
      return;
    }
    setStatus('Locating…');
    setError('');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLatitude(pos.coords.latitude.toFixed(6));
        setLongitude(pos.coords.longitude.toFixed(6));
        setStatus('');
      },
      (err) => {
        setStatus('');
        setError(`Location unavailable (${err.message || 'denied'}); enter it by hand.`);
      },
      { timeout: GEO_TIMEOUT_MS, maximumAge: 60_000 },
    );
  };

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    const lat = Number(latitude);
    const lon = Number(longitude);
    if (latitude.trim() === '' || !Number.isFinite(lat) || Math.abs(lat) > 90) {
      setError('Latitude must be a number from -90 to 90.');
      return;
    }
    if (longitude.trim() === '' || !Number.isFinite(lon) || Math.abs(lon) > 180) {
      setError('Longitude must be a number from -180 to 180.');
      return;
    }
    props.onSend({ latitude: lat, longitude: lon, title: title.trim(), address: '' });
  };

  return (
    <div className="dialog-backdrop">
      <form className="dialog" onSubmit={submit} data-testid="location-dialog">
        <h2>Share a location</h2>
        <button type="button" onClick={locate} data-testid="use-my-location">
          Use my current location
        </button>
        {status !== '' && <p className="muted">{status}</p>}
        <div className="row stretch">
          <label>
            Latitude
            <input
              name="latitude"
              inputMode="decimal"
              value={latitude}
              onChange={(e) => {
                setLatitude(e.target.value);
              }}
            />
          </label>
          <label>
            Longitude
            <input
              name="longitude"
              inputMode="decimal"
              value={longitude}
              onChange={(e) => {
                setLongitude(e.target.value);
              }}
            />
          </label>
        </div>
        <label>
          Label (optional)
          <input
            name="place"
            value={title}
            maxLength={200}
            onChange={(e) => {
              setTitle(e.target.value);
            }}
          />
        </label>
        {error !== '' && <p className="error">{error}</p>}
        <div className="row">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" data-testid="send-location">
            Send location
          </button>
        </div>
      </form>
    </div>
  );
}
