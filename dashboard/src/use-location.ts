import { useEffect, useState } from 'react';
import { parseLocation, type Location } from './view/route.ts';

/** The parsed fragment, kept current as the user navigates. */
export function useLocation(): Location {
  const [location, setLocation] = useState(() => parseLocation(window.location.hash));
  useEffect(() => {
    const onChange = () => setLocation(parseLocation(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return location;
}
