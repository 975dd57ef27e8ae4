import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { AdminLayout } from './admin-layout.js';

/**
 * `/admin`: the set-up as a checklist, in the order the seed's ConnectWise set-up runs, each step
 * saying whether it is done and linking to where it is done. An empty install lands here.
 */
export const overviewPage = new Hono<AppEnv>().get('/admin', async (c) => {
  const auth = c.get('auth')!;
  const services = c.get('services');
  const effective = services.settings.current();
  const users = await services.store.users.list();
  const technicians = users.filter((user) => !user.disabled);
  const mapped = technicians.filter((user) => effective.technicians[user.id]).length;
  const steps = [
    {
      done: effective.psa !== null,
      href: '/admin/psa',
      title: 'Connect the PSA',
      detail: effective.psa ? effective.psa.label : 'not connected',
    },
    {
      done: mapped > 0,
      href: '/admin/technicians',
      title: 'Map technicians to PSA members',
      detail: `${mapped} of ${technicians.length} users mapped`,
    },
    {
      done: effective.directories.length > 0,
      href: '/admin/directories',
      title: 'Add the customers’ directories',
      detail: `${effective.directories.length} director${effective.directories.length === 1 ? 'y' : 'ies'}`,
    },
    {
      done: effective.companyMappings.length > 0,
      href: '/admin/companies',
      title: 'Map PSA companies to directories',
      detail: `${effective.companyMappings.length} compan${effective.companyMappings.length === 1 ? 'y' : 'ies'} mapped`,
    },
    {
      done: effective.forms.enabled.length > 0,
      href: '/admin/forms',
      title: 'Enable forms',
      detail: `${effective.forms.enabled.length} of ${Object.keys(services.forms).length} enabled`,
    },
    {
      done: effective.screenpop.secret !== undefined,
      href: '/admin/screenpop',
      title: 'Copy the screen-pop URLs into 1Stream',
      detail: effective.screenpop.secret ? 'webhook secret set' : 'no webhook secret yet (recommended)',
    },
  ];
  return c.html(
    <AdminLayout title="Set-up" active="/admin" auth={auth}>
      {effective.problems.length > 0 ? (
        <section class="card" aria-labelledby="problems-title">
          <h2 id="problems-title">Needs attention</h2>
          <ul>
            {effective.problems.map((problem) => (
              <li class="warning">{problem}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <ol class="checklist">
        {steps.map((step) => (
          <li class={step.done ? 'status-succeeded' : 'todo'}>
            <span class="badge">{step.done ? 'done' : 'to do'}</span> <a href={step.href}>{step.title}</a>{' '}
            <span class="muted">· {step.detail}</span>
          </li>
        ))}
      </ol>
    </AdminLayout>,
  );
});
