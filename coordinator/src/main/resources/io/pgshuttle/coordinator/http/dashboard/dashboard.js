// The pgshuttle dashboard: the fleet's migrations (/ui/?state=&instance=) and one migration's
// steps and attempts (/ui/?id=<migration id>), polled from the coordinator's JSON API about once
// a second; where the coordinator streams events (GET /v1/events, /v1/migrations/{id}/events),
// each event fetches the view again at once and the polls slow down. Every value is put into the
// page as text (textContent), never as HTML: request ids, instance ids, errors and summaries come
// from requesters and agents. The API token lives in sessionStorage and travels only in the
// Authorization header, never in a URL.
'use strict';

(function () {
  const TOKEN_KEY = 'pgshuttle.token';
  const POLL_MILLIS = 1000;
  // While events stream in, polls only keep durations current and guard against a silent stream.
  const STREAMING_POLL_MILLIS = 5000;
  // Events come in bursts (a backlog, a step's end and the next one's start): one fetch per burst.
  const EVENT_DELAY_MILLIS = 200;
  const LIST_LIMIT = 200;
  const MAX_LIST_LIMIT = 1000;

  const $ = (id) => document.getElementById(id);
  let pollTimer = null;
  // Bumped whenever what is shown changes, so that an answer to an older request is dropped.
  let generation = 0;
  // The generation whose poll is under way, and whether an event asked for another one after it.
  let pollingGeneration = null;
  let pollAgain = false;
  let streaming = false;
  let streamAbort = new AbortController();
  // The migration page's steps per attempt, folded from its event stream: attempt -> step -> view.
  let timelines = new Map();

  /** An API call refused for its token: polling stops and the token form comes back. */
  class TokenRefused extends Error {}

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(path) {
    const response = await fetch(path, {
      headers: { 'Authorization': 'Bearer ' + token(), 'Accept': 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    const reason = body && typeof body.error === 'string' ? body.error : response.statusText;
    if (response.status === 401) {
      throw new TokenRefused('The coordinator refused the token (401 Unauthorized): ' + reason
        + '\nEnter a token from the coordinator\'s configuration.');
    }
    if (response.status === 403) {
      throw new TokenRefused('This token may not read migrations (403 Forbidden): ' + reason
        + '\nEnter a token with the read or operate scope.');
    }
    if (!response.ok) {
      throw new Error('GET ' + path + ' answered ' + response.status + ': ' + reason);
    }
    return body;
  }

  // ---- formatting: every function returns plain text ----

  function time(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
  }

  function duration(fromIso, toIso) {
    if (!fromIso) {
      return '';
    }
    const to = toIso ? Date.parse(toIso) : Date.now();
    return seconds(Math.round((to - Date.parse(fromIso)) / 1000));
  }

  function seconds(total) {
    let rest = Math.max(0, total);
    const hours = Math.floor(rest / 3600);
    rest -= hours * 3600;
    const minutes = Math.floor(rest / 60);
    rest -= minutes * 60;
    const two = (n) => String(n).padStart(2, '0');
    if (hours > 0) {
      return hours + 'h ' + two(minutes) + 'm ' + two(rest) + 's';
    }
    return minutes > 0 ? minutes + 'm ' + two(rest) + 's' : rest + 's';
  }

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
  }

  /** Whether a field has a value: JSON may give null, or leave it out. */
  function known(value) {
    return value !== null && value !== undefined;
  }

  /**
   * The step a migration is at: of the running ones (two while DUMP and RESTORE run at once), the
   * one that started last, else the last one that started. Steps come in pipeline order, and
   * steps that run at once are neighbours in it, so the last running one started last.
   */
  function currentStep(migration) {
    const running = runningSteps(migration);
    if (running.length) {
      return running[running.length - 1];
    }
    const started = (migration.steps || []).filter((step) => step.state !== 'PENDING');
    return started.length ? started[started.length - 1] : null;
  }

  function runningSteps(migration) {
    return (migration.steps || []).filter((step) => step.state === 'RUNNING');
  }

  /** The names of the running steps ("DUMP + RESTORE"), else the current step's name. */
  function stepNames(migration) {
    const running = runningSteps(migration);
    if (running.length > 1) {
      return running.map((step) => step.name).join(' + ');
    }
    return (currentStep(migration) || {}).name;
  }

  /** A step's percent: 100 once it succeeded, else its last progress report, else null. */
  function percent(step) {
    if (step.state === 'SUCCEEDED') {
      return 100;
    }
    return step.progress && known(step.progress.percent) ? step.progress.percent : null;
  }

  // ---- DOM helpers: text only; rows and cells are updated in place, not rebuilt ----

  function setText(element, text) {
    const value = known(text) ? String(text) : '';
    if (element.textContent !== value) {
      element.textContent = value;
    }
  }

  /** A column: its cell's class (col-<name>) and how an item fills the cell. */
  function column(name, fill) {
    return { name, fill };
  }

  function text(field) {
    return (td, item) => setText(td, field(item));
  }

  function state(field) {
    return (td, item) => {
      const value = field(item);
      setText(td, value);
      td.classList.add('state');
      td.classList.remove('state-' + td.dataset.state);
      td.classList.add('state-' + value);
      td.dataset.state = value;
    };
  }

  /** A progress bar with its percent; {@code stepOf} gives the step, or null for none. */
  function progress(stepOf) {
    return (td, item) => {
      if (!td.firstChild) {
        const bar = document.createElement('progress');
        bar.max = 100;
        const label = document.createElement('span');
        label.className = 'percent';
        const detail = document.createElement('div');
        detail.className = 'detail';
        td.append(bar, label, detail);
      }
      const [bar, label, detail] = td.children;
      const step = stepOf(item);
      const value = step ? percent(step) : null;
      bar.hidden = !step;
      if (value === null) {
        bar.removeAttribute('value');
      } else if (bar.value !== value) {
        bar.value = value;
      }
      setText(label, value === null ? '' : ' ' + Math.round(value * 10) / 10 + '%');
      setText(detail, step ? progressText(step.progress) : '');
    };
  }

  /**
   * Shows one row per item in {@code tbody}, in order: the row of an item shown before (same
   * key, kept in data-{@code keyName}) is updated, not replaced.
   */
  function syncRows(tbody, items, keyName, keyOf, columns) {
    const existing = new Map(Array.from(tbody.rows, (row) => [row.dataset[keyName], row]));
    items.forEach((item, index) => {
      const key = String(keyOf(item));
      let row = existing.get(key);
      if (!row) {
        row = document.createElement('tr');
        row.dataset[keyName] = key;
        for (const { name } of columns) {
          const td = document.createElement('td');
          td.className = 'col-' + name;
          row.appendChild(td);
        }
      }
      columns.forEach(({ fill }, i) => fill(row.cells[i], item));
      if (tbody.rows[index] !== row) {
        tbody.insertBefore(row, tbody.rows[index] || null);
      }
    });
    while (tbody.rows.length > items.length) {
      tbody.deleteRow(items.length);
    }
  }

  function showMessage(text) {
    $('message').textContent = text;
    $('message').hidden = !text;
  }

  function updated() {
    $('updated').textContent = 'updated ' + time(new Date().toISOString());
  }

  // ---- the fleet ----

  /** The view's filters from the URL; {@code limit} (1 to 1000) only where the URL names one. */
  function filters() {
    const query = new URLSearchParams(location.search);
    const limit = Number(query.get('limit'));
    return {
      state: query.get('state') || '',
      instance: query.get('instance') || '',
      limit: Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIST_LIMIT ? limit : null,
    };
  }

  function showFilters() {
    const current = filters();
    $('filter-state').value = current.state;
    $('filter-instance').value = current.instance;
  }

  function applyFilters(event) {
    if (event) {
      event.preventDefault();
    }
    const query = new URLSearchParams();
    const state = $('filter-state').value;
    const instance = $('filter-instance').value.trim();
    if (state) {
      query.set('state', state);
    }
    if (instance) {
      query.set('instance', instance);
    }
    const limit = filters().limit;
    if (limit !== null) {
      query.set('limit', String(limit));
    }
    const search = query.toString() ? '?' + query.toString() : '';
    if (search === location.search) {
      return;
    }
    history.pushState(null, '', search || location.pathname);
    restart();
  }

  async function refreshFleet(current) {
    const wanted = filters();
    const query = new URLSearchParams({ limit: String(wanted.limit || LIST_LIMIT) });
    if (wanted.state) {
      query.set('state', wanted.state);
    }
    if (wanted.instance) {
      query.set('instance', wanted.instance);
    }
    const body = await api('/v1/migrations?' + query.toString());
    if (current !== generation) {
      return;
    }
    syncRows($('migrations').tBodies[0], body.migrations, 'migrationId',
      (migration) => migration.migrationId, FLEET_COLUMNS);
    $('empty').hidden = body.migrations.length > 0;
    // More match than one page holds: say so rather than let the list look complete.
    setText($('shown-count'), String(body.migrations.length));
    $('truncated').hidden = body.next === null || body.next === undefined;
  }

  function requestLink(td, migration) {
    if (!td.firstChild) {
      const link = document.createElement('a');
      link.href = '?' + new URLSearchParams({ id: migration.migrationId }).toString();
      link.title = migration.migrationId;
      td.appendChild(link);
    }
    setText(td.firstChild, migration.requestId);
  }

  const FLEET_COLUMNS = [
    column('request', requestLink),
    column('instance', text((migration) => migration.instanceId)),
    column('state', state((migration) => migration.state)),
    column('step', text(stepNames)),
    column('progress', progress(currentStep)),
    column('attempt', text((migration) => migration.attempt + ' of ' + migration.maxAttempts)),
    column('duration', text((migration) =>
      duration(migration.startedAt || migration.createdAt, migration.finishedAt))),
    column('error', text((migration) => migration.error)),
  ];

  // ---- one migration ----

  /** The migration's fields as a definition list, rebuilt only when one changed. */
  function showSummary(items) {
    const list = $('migration-summary');
    const shown = JSON.stringify(items);
    if (list.dataset.shown === shown) {
      return;
    }
    list.dataset.shown = shown;
    list.replaceChildren(...items.flatMap(([term, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = String(value);
      dd.dataset.field = term;
      return [dt, dd];
    }));
  }

  function progressText(progress) {
    if (!progress) {
      return '';
    }
    const parts = [];
    if (known(progress.bytesDone)) {
      parts.push(bytes(progress.bytesDone)
        + (known(progress.bytesTotal) ? ' of ' + bytes(progress.bytesTotal) : ''));
    }
    if (known(progress.tablesDone)) {
      parts.push(progress.tablesDone + (known(progress.tablesTotal)
        ? ' of ' + progress.tablesTotal : '') + ' tables');
    }
    if (known(progress.etaSeconds)) {
      parts.push('about ' + seconds(Math.round(progress.etaSeconds)) + ' left');
    }
    if (progress.detail) {
      parts.push(progress.detail);
    }
    return parts.join(', ');
  }

  async function refreshMigration(current, id) {
    const migration = await api('/v1/migrations/' + encodeURIComponent(id));
    if (current !== generation) {
      return;
    }
    document.title = 'pgshuttle: ' + migration.requestId;
    setText($('migration-title'), 'Migration ' + migration.requestId);
    const items = [];
    const summaryItem = (term, value) => items.push([term, value]);
    summaryItem('Migration id', migration.migrationId);
    summaryItem('Request id', migration.requestId);
    summaryItem('Instance', migration.instanceId);
    summaryItem('State', migration.state);
    summaryItem('Attempt', migration.attempt + ' of ' + migration.maxAttempts);
    summaryItem('Created', time(migration.createdAt));
    summaryItem('Started', time(migration.startedAt));
    summaryItem('Finished', time(migration.finishedAt));
    summaryItem('Duration', duration(migration.startedAt, migration.finishedAt));
    summaryItem('Next attempt', time(migration.nextAttemptAt));
    summaryItem('Last heartbeat', time(migration.lastHeartbeatAt));
    summaryItem('Error', migration.error);
    summaryItem('Verification', migration.verification);
    summaryItem('Cancel requested', time(migration.cancelRequestedAt));
    summaryItem('Cancel reason', migration.cancelReason);
    showSummary(items.filter(([, value]) => known(value) && value !== ''));

    setText($('steps-title'), migration.attempt > 0
      ? 'Steps of attempt ' + migration.attempt : 'Steps (not dispatched yet)');
    syncRows($('steps').tBodies[0], migration.steps, 'step', (step) => step.name, STEP_COLUMNS);
    showEarlierAttempts(migration);
    syncRows($('attempts').tBodies[0], migration.attempts, 'attempt',
      (attempt) => attempt.attempt, ATTEMPT_COLUMNS);
  }

  const STEP_COLUMNS = [
    column('step', text((step) => step.name)),
    column('state', state((step) => step.state)),
    column('started', text((step) => time(step.startedAt))),
    column('finished', text((step) => time(step.finishedAt))),
    column('duration', text((step) => duration(step.startedAt, step.finishedAt))),
    column('progress', progress((step) => (step.state === 'PENDING' ? null : step))),
    column('summary', text((step) => step.error || step.summary)),
  ];

  const ATTEMPT_COLUMNS = [
    column('attempt', text((attempt) => attempt.attempt)),
    column('state', state((attempt) => attempt.state)),
    column('started', text((attempt) => time(attempt.startedAt))),
    column('finished', text((attempt) => time(attempt.finishedAt))),
    column('duration', text((attempt) => duration(attempt.startedAt, attempt.finishedAt))),
    column('error', text((attempt) => attempt.error)),
    column('retryable', text((attempt) =>
      (known(attempt.retryable) ? (attempt.retryable ? 'yes' : 'no') : ''))),
  ];

  const STEP_EVENTS = ['StepStarted', 'StepProgress', 'StepSucceeded', 'StepFailed'];

  /**
   * Folds one event of the migration's stream into the steps of its attempt, shaped as the status
   * shows the current attempt's steps: the status has no steps of earlier attempts.
   */
  function foldStepEvent(data) {
    let envelope;
    try {
      envelope = JSON.parse(data);
    } catch (e) {
      return;
    }
    const body = envelope.body || {};
    if (!STEP_EVENTS.includes(envelope.type) || !body.step) {
      return;
    }
    if (!timelines.has(envelope.attempt)) {
      timelines.set(envelope.attempt, new Map());
    }
    const steps = timelines.get(envelope.attempt);
    const step = steps.get(body.step) || {
      name: body.step, state: 'PENDING', startedAt: null, finishedAt: null, progress: null,
      summary: null, error: null,
    };
    if (envelope.type === 'StepStarted') {
      step.state = 'RUNNING';
      step.startedAt = envelope.emittedAt;
    } else if (envelope.type === 'StepProgress') {
      step.progress = body;
    } else if (envelope.type === 'StepSucceeded') {
      step.state = 'SUCCEEDED';
      step.finishedAt = envelope.emittedAt;
      step.summary = body.summary;
    } else {
      step.state = 'FAILED';
      step.finishedAt = envelope.emittedAt;
      step.error = body.error;
    }
    steps.set(body.step, step);
  }

  /** A table of steps per attempt before the current one, for which events came. */
  function showEarlierAttempts(migration) {
    const earlier = Array.from(timelines.keys())
      .filter((attempt) => attempt < migration.attempt)
      .sort((a, b) => b - a);
    const container = $('earlier-attempts');
    const existing = new Map(Array.from(container.children, (div) => [div.dataset.attempt, div]));
    earlier.forEach((attempt, index) => {
      let section = existing.get(String(attempt));
      if (!section) {
        section = document.createElement('div');
        section.dataset.attempt = String(attempt);
        const title = document.createElement('h2');
        title.textContent = 'Steps of attempt ' + attempt;
        const table = $('steps').cloneNode(true);
        table.removeAttribute('id');
        table.className = 'steps';
        table.tBodies[0].replaceChildren();
        section.append(title, table);
      }
      const order = migration.steps.map((step) => step.name);
      const steps = Array.from(timelines.get(attempt).values())
        .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
      syncRows(section.querySelector('tbody'), steps, 'step', (step) => step.name, STEP_COLUMNS);
      if (container.children[index] !== section) {
        container.insertBefore(section, container.children[index] || null);
      }
    });
  }

  // ---- polling, the event stream and navigation ----

  function schedule(current, millis) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(() => poll(current), millis);
  }

  async function poll(current) {
    pollingGeneration = current;
    pollAgain = false;
    const id = new URLSearchParams(location.search).get('id');
    try {
      if (id) {
        await refreshMigration(current, id);
      } else {
        await refreshFleet(current);
      }
      if (current === generation) {
        showMessage('');
        updated();
      }
    } catch (e) {
      if (current !== generation) {
        return;
      }
      if (e instanceof TokenRefused) {
        sessionStorage.removeItem(TOKEN_KEY);
        askForToken(e.message);
        return;
      }
      showMessage('Cannot show the latest state: ' + e.message + '\nTrying again every second.');
    } finally {
      if (pollingGeneration === current) {
        pollingGeneration = null;
      }
    }
    if (current === generation) {
      schedule(current, pollAgain ? EVENT_DELAY_MILLIS
        : streaming ? STREAMING_POLL_MILLIS : POLL_MILLIS);
    }
  }

  /** An event arrived: fetch the view again soon (after the poll under way, if one is). */
  function refreshSoon(current) {
    if (current !== generation) {
      return;
    }
    if (pollingGeneration === current) {
      pollAgain = true;
    } else {
      schedule(current, EVENT_DELAY_MILLIS);
    }
  }

  /**
   * Follows the coordinator's event stream at {@code path} while {@code current} is shown, passing
   * each event's data (its envelope as JSON text) to {@code onEnvelope}, reconnecting with Last-Event-ID after a cut. Returns when the coordinator has no stream there
   * (or refuses the token, which the polls report): the polls then carry on alone.
   */
  async function follow(current, path, onEnvelope) {
    let lastEventId = null;
    while (current === generation) {
      const headers = { 'Authorization': 'Bearer ' + token(), 'Accept': 'text/event-stream' };
      if (lastEventId !== null) {
        headers['Last-Event-ID'] = lastEventId;
      }
      try {
        const response = await fetch(path, {
          headers, cache: 'no-store', credentials: 'omit', signal: streamAbort.signal,
        });
        const type = response.headers.get('Content-Type') || '';
        if (!response.ok || !type.startsWith('text/event-stream')) {
          response.body?.cancel().catch(() => {});
          return;
        }
        streaming = true;
        await readEvents(response.body, (id, data) => {
          lastEventId = id;
          if (data !== null) {
            onEnvelope(data);
            refreshSoon(current);
          }
        });
      } catch (e) {
        if (streamAbort.signal.aborted) {
          return;
        }
      } finally {
        if (current === generation) {
          streaming = false;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
    }
  }

  /**
   * Reads Server-Sent Events from {@code body}, calling {@code onEvent(lastEventId, data)} for
   * each ({@code data}: its data lines joined by newlines), and with data null for a frame of only
   * an id (where a stream that starts at the newest event says where it started).
   */
  async function readEvents(body, onEvent) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let pending = '';
    let lastEventId = null;
    let data = null;
    let idSeen = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      const lines = (pending + value).split(/\r\n|\r|\n/);
      pending = lines.pop();
      for (const line of lines) {
        if (line === '') {
          if (data !== null || idSeen) {
            onEvent(lastEventId, data);
          }
          data = null;
          idSeen = false;
        } else if (line.startsWith('id:')) {
          lastEventId = line.slice(3).trim();
          idSeen = true;
        } else if (line.startsWith('data:')) {
          const text = line.slice(line.startsWith('data: ') ? 6 : 5);
          data = data === null ? text : data + '\n' + text;
        }
      }
    }
  }

  function stop() {
    generation++;
    clearTimeout(pollTimer);
    streamAbort.abort();
    streamAbort = new AbortController();
    streaming = false;
  }

  /**
   * The event stream of what is shown: one migration's, all of it (its earlier attempts' steps are
   * rebuilt from it), or the fleet's (of one instance) from the newest event on, since the fleet
   * view only needs to know when to fetch again, and a fleet's history may be millions of events.
   */
  function streamPath(id) {
    if (id) {
      return '/v1/migrations/' + encodeURIComponent(id) + '/events';
    }
    const instance = filters().instance;
    const query = { after: 'latest' };
    if (instance) {
      query.instance = instance;
    }
    return '/v1/events?' + new URLSearchParams(query).toString();
  }

  function restart() {
    stop();
    if (!token()) {
      askForToken('');
      return;
    }
    const id = new URLSearchParams(location.search).get('id');
    $('token-form').hidden = true;
    $('forget-token').hidden = false;
    $('fleet').hidden = Boolean(id);
    $('migration').hidden = !id;
    if (!id) {
      showFilters();
    }
    timelines = new Map();
    $('earlier-attempts').replaceChildren();
    poll(generation);
    follow(generation, streamPath(id), id ? foldStepEvent : () => {});
  }

  function askForToken(message) {
    stop();
    showMessage(message);
    $('fleet').hidden = true;
    $('migration').hidden = true;
    $('forget-token').hidden = true;
    $('token-form').hidden = false;
    $('token').value = '';
    $('token').focus();
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const entered = $('token').value.trim();
    if (!entered) {
      showMessage('Enter a token.');
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, entered);
    $('token').value = '';
    showMessage('');
    restart();
  });
  $('forget-token').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken('');
  });
  $('filters').addEventListener('submit', applyFilters);
  $('filter-state').addEventListener('change', applyFilters);
  $('filter-instance').addEventListener('change', applyFilters);
  window.addEventListener('popstate', restart);

  restart();
})();
