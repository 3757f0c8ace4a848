package io.pgshuttle.coordinator;

import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver (nothing is downloaded), with a
 * fresh profile. {@link #close()} quits the browser, stops chromedriver and deletes the profile,
 * each even when the one before failed. Not thread-safe.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  HeadlessChromium() throws IOException {
    for (Path program : new Path[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(program)) {
        throw new IllegalStateException(
            program
                + " is missing: the dashboard's tests need Debian's chromium and chromedriver"
                + " (scripts/test.sh installs them as root; else apt-get install chromium"
                + " chromium-driver)");
      }
    }
    profile = Files.createTempDirectory("pgshuttle-chromium-");
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // --no-sandbox: the tests run as root, where chromium's sandbox refuses to start.
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile);
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      service.stop();
      PostgresCluster.deleteRecursively(profile);
      throw e;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try {
        service.stop();
      } finally {
        PostgresCluster.deleteRecursively(profile);
      }
    }
  }
}
