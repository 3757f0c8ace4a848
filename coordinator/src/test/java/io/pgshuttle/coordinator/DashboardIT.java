package io.pgshuttle.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgshuttle.coordinator.status.MigrationState;
import io.pgshuttle.messages.AttemptFailed;
import io.pgshuttle.messages.MigrationId;
import io.pgshuttle.messages.MigrationRequest;
import io.pgshuttle.messages.MigrationSucceeded;
import io.pgshuttle.messages.Step;
import io.pgshuttle.messages.StepFailed;
import io.pgshuttle.messages.StepProgress;
import io.pgshuttle.messages.StepStarted;
import io.pgshuttle.messages.StepSucceeded;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The dashboard in a real headless Chromium against a running coordinator, with a fake agent
 * reporting progress. The page polls about once a second, so every check waits for the page to show
 * what the store holds.
 */
class DashboardIT extends WithCoordinatorFixture {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration PAGE_WAIT = Duration.ofSeconds(30);
  private static final String TOKEN = CoordinatorFixture.READ.token().reveal();
  private static final String INJECTION = "<img src=x onerror=\"window.injected=true\">";
  private static final String SHOWN_TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ";
  private HeadlessChromium chromium;
  private String base;

  @BeforeEach
  void startCoordinator() {
    base = "http://127.0.0.1:" + fixture.start().httpPort();
  }

  @AfterEach
  void stopChromium() {
    if (chromium != null) {
      chromium.close();
    }
  }

  @Test
  void theDashboardIsServedWithoutTokenUnderUiAndTheRootRedirectsThere() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> root = client.send(request("/").GET().build(), ofString());
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location")).hasValue("/ui/");
    HttpResponse<String> page = client.send(request("/ui/").GET().build(), ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'");
    assertThat(page.body()).contains("<script src=\"dashboard.js\"></script>");
    HttpResponse<String> script =
        client.send(request("/ui/dashboard.js").GET().build(), ofString());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(script.body()).contains("'Authorization': 'Bearer '");

    HttpResponse<String> missing = client.send(request("/ui/../pom.xml").GET().build(), ofString());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).contains("\"error\":\"no such dashboard file: ");
    HttpResponse<String> post =
        client.send(
            request("/ui/").POST(HttpRequest.BodyPublishers.ofString("x")).build(), ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void aMigrationIsWatchedLiveFilteredAndOpenedWithItsStepsAndAttempts() throws Exception {
    FakeAgent agent = fixture.agent("vm-dash");
    MigrationRequest request = CoordinatorFixture.request("req-dash", "vm-dash", "dash-pw");
    fixture.publishRequest(request);
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    fixture.publishRequest(CoordinatorFixture.request("req-lost", "vm-lost", "pw"));
    MigrationId lost = MigrationId.forRequest("req-lost");
    await().atMost(WAIT).until(() -> fixture.state(lost) == MigrationState.FAILED);

    ChromeDriver browser = browser();
    recordFetches(browser);
    browser.get(base + "/");
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/ui/");
    enterToken(browser);
    awaitText(browser, row(id, "col-state"), "RUNNING");
    // The fleet's stream starts at the newest event: a fleet's history is not replayed.
    await().atMost(PAGE_WAIT).until(() -> fetched(browser).contains("/v1/events?after=latest"));
    assertThat(text(browser, row(id, "col-instance"))).isEqualTo("vm-dash");
    assertThat(text(browser, row(id, "col-attempt"))).isEqualTo("1 of 3");
    assertThat(text(browser, row(lost, "col-error"))).startsWith("no agent for instance vm-lost");
    assertThat(browser.executeScript("return sessionStorage.getItem('pgshuttle.token')"))
        .isEqualTo(TOKEN);
    assertThat(browser.getCurrentUrl()).doesNotContain(TOKEN);

    // Attempt 1 fails and may be retried: the row shows the error while attempt 2 is dispatched.
    agent.emit(id, 1, 1, new StepStarted(Step.PREFLIGHT));
    agent.emit(id, 1, 2, new StepFailed(Step.PREFLIGHT, "target refused connections", true));
    agent.emit(
        id, 1, 3, new AttemptFailed(Step.PREFLIGHT, "target refused connections", true, List.of()));
    assertThat(agent.awaitCommand(WAIT).attempt()).isEqualTo(2);
    awaitText(browser, row(id, "col-attempt"), "2 of 3");
    assertThat(text(browser, row(id, "col-error"))).isEqualTo("target refused connections");

    long seq = 1;
    agent.emit(id, 2, seq++, new StepStarted(Step.PREFLIGHT));
    agent.emit(id, 2, seq++, new StepSucceeded(Step.PREFLIGHT, 10, "source 15.4, target 16.2"));
    agent.emit(id, 2, seq++, new StepStarted(Step.DUMP));
    List<String> shown = new ArrayList<>();
    for (String percent : List.of("10", "45.5", "80")) {
      double value = Double.parseDouble(percent);
      agent.emit(
          id,
          2,
          seq++,
          new StepProgress(Step.DUMP, value, (long) value * 10, 1000L, 1, 4, "public.orders"));
      awaitProgress(browser, id, percent);
      shown.add(progress(browser, id));
      assertThat(text(browser, row(id, "col-step"))).isEqualTo("DUMP");
    }
    assertThat(shown).containsExactly("10", "45.5", "80");

    // RESTORE runs alongside DUMP: the row names both and shows the progress of RESTORE, which
    // started last.
    agent.emit(id, 2, seq++, new StepStarted(Step.RESTORE));
    agent.emit(
        id, 2, seq++, new StepProgress(Step.RESTORE, 20.0, 200L, 1000L, 0, 4, "public.users"));
    awaitText(browser, row(id, "col-step"), "DUMP + RESTORE");
    awaitProgress(browser, id, "20");
    agent.emit(id, 2, seq++, new StepSucceeded(Step.DUMP, 3000, "4 tables"));
    awaitText(browser, row(id, "col-step"), "RESTORE");
    assertThat(progress(browser, id)).isEqualTo("20");
    agent.emit(id, 2, seq++, new StepSucceeded(Step.RESTORE, 100, "RESTORE done"));
    for (Step step : List.of(Step.VERIFY, Step.CUTOVER, Step.CLEANUP)) {
      agent.emit(id, 2, seq++, new StepStarted(step));
      agent.emit(id, 2, seq++, new StepSucceeded(step, 100, step + " done"));
    }
    agent.emit(id, 2, seq, new MigrationSucceeded(List.of("app"), "verified 4 tables"));
    awaitText(browser, row(id, "col-state"), "SUCCEEDED");
    assertThat(text(browser, row(id, "col-step"))).isEqualTo("CLEANUP");
    assertThat(text(browser, row(id, "col-progress"))).isEqualTo("100%");

    // Filters go into the URL, and a URL with filters shows them applied.
    stateFilter(browser, "FAILED");
    awaitRows(browser, lost);
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/ui/?state=FAILED");
    stateFilter(browser, "");
    browser.findElement(By.id("filter-instance")).sendKeys("vm-dash", Keys.ENTER);
    awaitRows(browser, id);
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/ui/?instance=vm-dash");
    assertThat(fetched(browser)).contains("/v1/events?after=latest&instance=vm-dash");
    browser.get(base + "/ui/?state=SUCCEEDED&instance=vm-lost");
    await().atMost(PAGE_WAIT).until(() -> browser.findElement(By.id("empty")).isDisplayed());
    assertThat(browser.findElements(By.cssSelector("#migrations tbody tr"))).isEmpty();
    assertThat(browser.findElement(By.id("filter-instance")).getDomProperty("value"))
        .isEqualTo("vm-lost");
    browser.get(base + "/ui/?state=SUCCEEDED");
    awaitRows(browser, id);
    assertThat(browser.findElement(By.id("truncated")).isDisplayed()).isFalse();

    // More match than the page's limit: the newest are shown, and the page says others are not.
    browser.get(base + "/ui/?limit=1");
    awaitRows(browser, lost);
    await().atMost(PAGE_WAIT).until(() -> browser.findElement(By.id("truncated")).isDisplayed());
    assertThat(text(browser, "#truncated"))
        .startsWith("More migrations match than the newest 1 shown here");
    browser.findElement(By.id("filter-instance")).sendKeys("vm-dash", Keys.ENTER);
    awaitRows(browser, id);
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/ui/?instance=vm-dash&limit=1");
    browser.get(base + "/ui/?state=SUCCEEDED");
    awaitRows(browser, id);

    // The migration's page: the steps of its last attempt and both attempts.
    browser.findElement(By.cssSelector(row(id, "col-request") + " a")).click();
    await()
        .atMost(PAGE_WAIT)
        .ignoreExceptions()
        .until(() -> browser.findElements(By.cssSelector("#attempts tbody tr")).size() == 2);
    assertThat(browser.getCurrentUrl()).isEqualTo(base + "/ui/?id=" + id);
    assertThat(fetched(browser)).contains("/v1/migrations/" + id + "/events");
    assertThat(text(browser, "#migration-title")).isEqualTo("Migration req-dash");
    assertThat(text(browser, "#steps-title")).isEqualTo("Steps of attempt 2");
    List<String> steps = new ArrayList<>();
    for (WebElement step : browser.findElements(By.cssSelector("#steps tbody tr"))) {
      steps.add(
          (step.findElement(By.className("col-step")).getText()
                  + " "
                  + step.findElement(By.className("col-state")).getText()
                  + " "
                  + step.findElement(By.className("col-summary")).getText())
              .strip());
      String started = step.findElement(By.className("col-started")).getText();
      String finished = step.findElement(By.className("col-finished")).getText();
      if (!steps.get(steps.size() - 1).contains("PENDING")) {
        assertThat(started).matches(SHOWN_TIME);
        assertThat(finished).matches(SHOWN_TIME);
      }
    }
    assertThat(steps)
        .containsExactly(
            "PREFLIGHT SUCCEEDED source 15.4, target 16.2",
            "PROVISION_DISK PENDING",
            "QUIESCE_SOURCE PENDING",
            "DUMP SUCCEEDED 4 tables",
            "RESTORE SUCCEEDED RESTORE done",
            "VERIFY SUCCEEDED VERIFY done",
            "CUTOVER SUCCEEDED CUTOVER done",
            "CLEANUP SUCCEEDED CLEANUP done");
    assertThat(text(browser, "#steps tr[data-step='DUMP'] .col-progress"))
        .contains("100%")
        .contains("800 B of 1000 B, 1 of 4 tables, public.orders");
    assertThat(text(browser, "#attempts tr[data-attempt='1'] .col-state")).isEqualTo("FAILED");
    assertThat(text(browser, "#attempts tr[data-attempt='1'] .col-error"))
        .isEqualTo("target refused connections");
    assertThat(text(browser, "#attempts tr[data-attempt='1'] .col-retryable")).isEqualTo("yes");
    assertThat(text(browser, "#attempts tr[data-attempt='2'] .col-state")).isEqualTo("SUCCEEDED");
    assertThat(text(browser, "#migration-summary dd[data-field='Verification']"))
        .isEqualTo("verified 4 tables");
    assertThat(browser.getPageSource()).doesNotContain("dash-pw");
  }

  @Test
  void untrustedTextIsShownAsTextNeverAsHtml() throws Exception {
    String requestId = "req-" + INJECTION;
    FakeAgent agent = fixture.agent("vm-inject");
    fixture.publishRequest(CoordinatorFixture.request(requestId, "vm-inject", "pw"));
    MigrationId id = agent.awaitCommand(WAIT).migrationId();
    agent.emit(id, 1, 1, new StepStarted(Step.VERIFY));
    agent.emit(id, 1, 2, new StepFailed(Step.VERIFY, INJECTION, false));
    agent.emit(id, 1, 3, new AttemptFailed(Step.VERIFY, INJECTION, false, List.of()));
    await().atMost(WAIT).until(() -> fixture.state(id) == MigrationState.FAILED);

    ChromeDriver browser = browser();
    browser.get(base + "/ui/");
    enterToken(browser);
    awaitText(browser, row(id, "col-state"), "FAILED");
    assertThat(text(browser, row(id, "col-request"))).isEqualTo(requestId);
    assertThat(text(browser, row(id, "col-error"))).isEqualTo(INJECTION);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();

    browser.findElement(By.cssSelector(row(id, "col-request") + " a")).click();
    awaitText(browser, "#steps tr[data-step='VERIFY'] .col-summary", INJECTION);
    assertThat(text(browser, "#migration-title")).isEqualTo("Migration " + requestId);
    assertThat(text(browser, "#attempts tr[data-attempt='1'] .col-error")).isEqualTo(INJECTION);
    assertThat(text(browser, "#migration-summary dd[data-field='Error']")).isEqualTo(INJECTION);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    assertThat(browser.executeScript("return window.injected === true")).isEqualTo(false);
  }

  /** Makes every page the browser opens note the URL of each fetch it makes. */
  private static void recordFetches(ChromeDriver browser) {
    browser.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument",
        Map.of(
            "source",
            "window.fetched = []; const pageFetch = window.fetch;"
                + " window.fetch = function (resource, options) {"
                + " window.fetched.push(typeof resource === 'string' ? resource : resource.url);"
                + " return pageFetch.call(this, resource, options); };"));
  }

  /** The URLs the page has fetched so far, as it asked for them. */
  @SuppressWarnings("unchecked")
  private static List<String> fetched(ChromeDriver browser) {
    return (List<String>) browser.executeScript("return window.fetched || []");
  }

  private ChromeDriver browser() throws Exception {
    chromium = new HeadlessChromium();
    return chromium.driver();
  }

  private static void stateFilter(ChromeDriver browser, String state) {
    browser.findElement(By.cssSelector("#filter-state option[value='" + state + "']")).click();
  }

  private static void enterToken(ChromeDriver browser) {
    await().atMost(PAGE_WAIT).until(() -> browser.findElement(By.id("token")).isDisplayed());
    assertThat(browser.findElement(By.id("fleet")).isDisplayed()).isFalse();
    browser.findElement(By.id("token")).sendKeys(TOKEN, Keys.ENTER);
    await().atMost(PAGE_WAIT).until(() -> browser.findElement(By.id("fleet")).isDisplayed());
  }

  /** The CSS selector of a cell of the fleet's row for {@code id}. */
  private static String row(MigrationId id, String column) {
    return "#migrations tr[data-migration-id='" + id + "'] ." + column;
  }

  private static String text(ChromeDriver browser, String selector) {
    return browser.findElement(By.cssSelector(selector)).getText();
  }

  private static void awaitText(ChromeDriver browser, String selector, String expected) {
    awaitPage(() -> text(browser, selector).equals(expected));
  }

  private static void awaitProgress(ChromeDriver browser, MigrationId id, String value) {
    awaitPage(() -> value.equals(progress(browser, id)));
  }

  /** The value of the progress bar in the fleet's row for {@code id}. */
  private static String progress(ChromeDriver browser, MigrationId id) {
    return browser
        .findElement(By.cssSelector(row(id, "col-progress") + " progress"))
        .getDomProperty("value");
  }

  /** Waits until the fleet shows exactly the rows of {@code ids}. */
  private static void awaitRows(ChromeDriver browser, MigrationId... ids) {
    List<String> expected = new ArrayList<>();
    for (MigrationId id : ids) {
      expected.add(id.toString());
    }
    awaitPage(
        () -> {
          List<String> shown = new ArrayList<>();
          for (WebElement row : browser.findElements(By.cssSelector("#migrations tbody tr"))) {
            shown.add(row.getDomAttribute("data-migration-id"));
          }
          return shown.equals(expected);
        });
  }

  /** The page rebuilds its rows on every poll: an element may go stale or be gone a moment. */
  private static void awaitPage(Callable<Boolean> condition) {
    await()
        .atMost(PAGE_WAIT)
        .ignoreExceptionsMatching(
            e -> e instanceof StaleElementReferenceException || e instanceof NoSuchElementException)
        .until(condition);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path));
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
