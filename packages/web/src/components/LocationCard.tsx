import type { LocationView } from '../model.js';
import { Icon } from './Icon.js';

/** A shared place: its label, coordinates and a link to the map (a plain link, opened elsewhere). */
export function LocationCard(props: { location: LocationView }): React.JSX.Element {
  const { latitude, longitude, title, address } = props.location;
  const lat = latitude.toFixed(5);
  const lon = longitude.toFixed(5);
  const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}`;
  return (
    <div className="location" data-testid="location">
      <Icon name="pin" size={24} />
      <span className="location-info">
        {title !== '' && <strong className="location-title">{title}</strong>}
        {address !== '' && <span>{address}</span>}
        <span className="muted" data-testid="coordinates">
          {lat}, {lon}
        </span>
        <a href={map} target="_blank" rel="noopener noreferrer">
          Open map
        </a>
      </span>
    </div>
  );
}
