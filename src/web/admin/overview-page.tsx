import { Hono } from 'hono';
import { describeSetup, type SetupStepState } from '../../domain/settings/describe-setup.js';
import type { AppEnv } from '../app-env.js';
import { AdminLayout } from './admin-layout.js';

const STATE_WORDS: Record<SetupStepState, { word: string; className: string }> = {
  done: { word: 'done', className: 'status-succeeded' },
  todo: { word: 'to do', className: 'todo' },
  unverified: { word: 'cannot tell', className: 'status-unverified' },
};

/**
 * `/admin`: the set-up as a checklist, in the order the seed's ConnectWise set-up runs, each step
 * saying whether it is done (only when it is) and linking to where it is done. An empty install
 * lands here.
 */
export const overviewPage = new Hono<AppEnv>().get('/admin', async (c) => {
  const auth = c.get('auth')!;
  const services = c.get('services');
  const effective = services.settings.current();
  const steps = await describeSetup({
    store: services.store,
    settings: services.settings,
    forms: services.forms.forms,
    logger: services.logger,
  });
  const mspApp = await services.microsoftApp.status();
  return c.html(
    <AdminLayout title="Set-up" active="/admin" auth={auth}>
      {mspApp.attention.length > 0 ? (
        <section class="card" aria-labelledby="msp-app-title">
          <h2 id="msp-app-title">Microsoft 365: needs attention</h2>
          <ul>
            {mspApp.attention.map((item) => (
              <li class="warning">{item}</li>
            ))}
          </ul>
          <p>
            <a href="/admin/microsoft">MSP app and tenants</a>
          </p>
        </section>
      ) : null}
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
          <li class={STATE_WORDS[step.state].className} data-step={step.key}>
            <span class="badge">{STATE_WORDS[step.state].word}</span> <a href={step.href}>{step.title}</a>{' '}
            <span class="muted">· {step.detail}</span>
          </li>
        ))}
      </ol>
    </AdminLayout>,
  );
});
