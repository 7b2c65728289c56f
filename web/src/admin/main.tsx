import { render } from 'preact';
import { AdminApp } from './AdminApp';

render(<AdminApp endpoint={`${location.origin}/graphql`} />, document.getElementById('app')!);
