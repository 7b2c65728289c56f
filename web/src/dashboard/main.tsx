import { render } from 'preact';
import { DashboardApp } from './DashboardApp';

render(<DashboardApp endpoint={`${location.origin}/graphql`} />, document.getElementById('app')!);
