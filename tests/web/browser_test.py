#!/usr/bin/python3
"""The web page of `vpngw serve` in a real browser (headless Chromium driven
by Selenium, both Debian packages). Run by browser.sh inside the gateway's
network namespace; prints one "ok"/"FAIL" line per check and exits non-zero
when a check fails. Waits are bounded polls for the condition checked.

usage: browser_test.py BASE_URL TOKEN OUT_DIR
OUT_DIR receives the screenshots and alice's config as decoded from the
QR code the page shows (alice.conf), which browser.sh then connects with.
"""
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,
                                        TimeoutException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, token, out = sys.argv[1:4]
failures = 0
XSS = '<img src=x onerror="window.__xss=1">'


def check(what, ok):
    global failures
    print(("ok   - " if ok else "FAIL - ") + what, flush=True)
    if not ok:
        failures += 1


def until(condition, what, timeout=15):
    try:
        # The page re-renders its table as it refreshes: an element found a
        # moment ago may be gone, which is a reason to look again, not a failure.
        return WebDriverWait(driver, timeout,
                             ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException:
        check(what + " (timed out)", False)
        return None


def qr_text(element, name):
    """The text zbarimg reads from a screenshot of the element."""
    path = f"{out}/{name}"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.screenshot(path)
    r = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else ""


def no_alert():
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


def severe_logs():
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1100,1000", "--no-first-run", "--disable-extensions"):
    options.add_argument(arg)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    # --- log in with the API token ---
    driver.get(base + "/")
    token_field = until(EC.visibility_of_element_located((By.ID, "token")), "the login form shows")
    label = driver.find_element(By.CSS_SELECTOR, "label[for=token]").text
    check("the token field is labelled", label == "API token")
    check("the token field has the keyboard focus",
          driver.switch_to.active_element.get_attribute("id") == "token")
    driver.save_screenshot(f"{out}/login.png")
    token_field.send_keys(token + Keys.ENTER)
    until(EC.visibility_of_element_located((By.ID, "admin-view")), "the admin view shows after login")
    until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#peer-group option")) == 2,
          "the group list is filled from the profile")

    # --- hostile text from the server stays text ---
    # A group of that name does not exist: the server's error names it, and
    # the page must show it as characters, not as an element.
    driver.execute_script(
        "const o = document.createElement('option'); o.value = arguments[0];"
        "o.textContent = 'hostile'; document.getElementById('peer-group').append(o);"
        "document.getElementById('peer-group').value = arguments[0];", XSS)
    name = driver.find_element(By.ID, "peer-name")
    name.send_keys("mallory" + Keys.ENTER)
    until(lambda d: XSS in d.find_element(By.ID, "error").text,
          "the server's error with the hostile group name is shown")
    check("the hostile name is shown literally", XSS in driver.find_element(By.ID, "error").text)
    check("no element was made from it",
          driver.execute_script("return document.querySelectorAll('#error *').length") == 0 and
          driver.execute_script("return document.querySelectorAll('img[src=x]').length") == 0)
    check("no script ran", driver.execute_script("return window.__xss === undefined") and no_alert())
    driver.execute_script("document.getElementById('peer-group').lastChild.remove()")
    # The same for a name the gateway refuses: shown as typed, in the message.
    name.clear()
    name.send_keys("<script>alert(1)</script>" + Keys.ENTER)
    until(lambda d: "peer name" in d.find_element(By.ID, "error").text, "an invalid name is refused")
    check("no alert from a script-like name", no_alert())

    # --- add alice; the page shows her QR code ---
    name.clear()
    name.send_keys("alice")
    driver.find_element(By.ID, "add-button").click()
    row = until(EC.presence_of_element_located((By.CSS_SELECTOR, "tr[data-peer=alice]")),
                "alice appears in the peer list")
    qr = until(EC.visibility_of_element_located((By.ID, "qr-image")), "the QR code shows")
    until(lambda d: d.execute_script("return document.getElementById('qr-image').naturalWidth") > 0,
          "the QR image loads")
    config = qr_text(qr, "admin-qr.png")
    check("the QR code decodes to a WireGuard config",
          config.startswith("[Interface]") and "PrivateKey = " in config)
    with open(f"{out}/alice.conf", "w") as f:
        f.write(config)
    driver.save_screenshot(f"{out}/admin.png")

    # A one-time link for alice, made on the page.
    row.find_element(By.CSS_SELECTOR, "button[aria-label='Make a one-time link for alice']").click()
    until(lambda d: "/l/" in d.find_element(By.ID, "link-url").get_attribute("value"),
          "the page shows a one-time link")
    link = driver.find_element(By.ID, "link-url").get_attribute("value")
    check("the link points at this server", link.startswith(base + "/l/"))

    # A name with every other character a peer name may have.
    name.send_keys("b+o=b.x_y-z" + Keys.ENTER)
    until(EC.presence_of_element_located((By.CSS_SELECTOR, 'tr[data-peer="b+o=b.x_y-z"]')),
          "a peer named b+o=b.x_y-z appears")
    # Disable and enable from the page.
    odd = 'tr[data-peer="b+o=b.x_y-z"]'
    driver.find_element(By.CSS_SELECTOR, odd + " button[aria-label='Disable b+o=b.x_y-z']").click()
    until(lambda d: d.find_element(By.CSS_SELECTOR, odd + " td:nth-child(4)").text == "disabled",
          "disabling shows the peer as disabled")
    driver.find_element(By.CSS_SELECTOR, odd + " button[aria-label='Enable b+o=b.x_y-z']").click()
    shown = until(lambda d: d.find_element(By.CSS_SELECTOR, odd + " td:nth-child(4)").text == "never connected",
                  "enabling shows it back")
    check("disable and enable work from the page", shown is True)
    # Rotate: the page shows the new QR code, which holds a new key.
    odd_row = driver.find_element(By.CSS_SELECTOR, odd)
    odd_row.find_element(By.CSS_SELECTOR, "button[aria-label='Rotate the keys of b+o=b.x_y-z']").click()
    until(lambda d: "b+o=b.x_y-z" in d.find_element(By.ID, "qr-caption").text,
          "after a rotate the page shows that peer's QR code")
    until(lambda d: d.execute_script("return document.getElementById('qr-image').complete && "
                                     "document.getElementById('qr-image').naturalWidth > 0"),
          "the rotated QR image loads")
    # The caption changes before the new image has replaced the old one: poll
    # (bounded) until the image decodes to a config other than alice's.
    def rotated_config(d):
        text = qr_text(d.find_element(By.ID, "qr-image"), "rotated-qr.png")
        return text if text.startswith("[Interface]") and text != config else False
    rotated = until(rotated_config, "the rotated QR decodes to a new config") or ""
    check("the rotated peer's QR code is a config of its own",
          rotated.startswith("[Interface]") and rotated != config)
    # Remove, in two presses (no modal dialog).
    remove = driver.find_element(By.CSS_SELECTOR, odd + " button[aria-label='Remove b+o=b.x_y-z']")
    remove.click()
    check("the first press only asks to confirm", remove.text == "Confirm removal")
    remove.click()
    until(lambda d: not d.find_elements(By.CSS_SELECTOR, odd), "removing takes the row away")
    # Search filters the list as one types.
    search = driver.find_element(By.ID, "search")
    search.send_keys("ali")
    until(lambda d: [r.get_attribute("data-peer") for r in d.find_elements(By.CSS_SELECTOR, "#peer-rows tr")] == ["alice"],
          "searching 'ali' leaves only alice")
    check("search works", [r.get_attribute("data-peer") for r in driver.find_elements(By.CSS_SELECTOR, "#peer-rows tr")] == ["alice"])
    search.clear()
    search.send_keys(Keys.BACKSPACE)
    logs = severe_logs()
    # The failed requests above log their 400s; nothing else may (no CSP violation, no script error).
    bad = [m for m in logs if "the server responded with a status of 400" not in m]
    check("no CSP violation or script error in the console: " + repr(bad), not bad)

    # --- the one-time link, on a phone-sized window ---
    driver.set_window_size(390, 844)
    driver.get(link)
    reveal = until(EC.element_to_be_clickable((By.ID, "reveal")), "the link page shows its button")
    reveal.click()
    qr = until(EC.visibility_of_element_located((By.ID, "qr-image")), "the link page shows the QR code")
    until(lambda d: d.execute_script("return document.getElementById('qr-image').naturalWidth") > 0,
          "the link's QR image loads")
    check("the link's QR code is alice's config", qr_text(qr, "link-qr.png") == config)
    check("the page names alice", "alice" in driver.find_element(By.ID, "peer-title").text)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    check(f"the link page fits a phone's width ({width}px)", width <= 390)
    driver.save_screenshot(f"{out}/link.png")
    driver.get(link)
    until(lambda d: "already used" in d.find_element(By.TAG_NAME, "h1").text,
          "opened again, the link says it was used")
    check("no button on a used link", not driver.find_elements(By.ID, "reveal"))
    driver.save_screenshot(f"{out}/link-used.png")
finally:
    driver.quit()

print(f"browser: {failures} failed")
sys.exit(1 if failures else 0)
