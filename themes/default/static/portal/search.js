/*
 * Search suggestions for the search box (progressive enhancement: without this script the form
 * simply submits to /search/). Follows the ARIA combobox pattern with a listbox popup: arrow
 * keys move through the suggestions, Enter opens the chosen one (or submits the search when none
 * is chosen), Escape closes the list. Requests are debounced and stale answers are ignored.
 */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var MIN_LENGTH = 1;

  function setup(form) {
    var input = form.querySelector("input[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) return;

    var timer = null;
    var controller = null;
    var serial = 0;
    var active = -1;
    var options = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(data) {
      list.textContent = "";
      options = [];
      (data.suggestions || []).forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "suggestion";
        var link = document.createElement("a");
        link.href = item.url;
        link.tabIndex = -1;
        var title = document.createElement("span");
        title.className = "suggestion-title";
        // title_html is escaped by the server, with <mark> around the matched characters.
        title.innerHTML = item.title_html;
        var meta = document.createElement("span");
        meta.className = "suggestion-meta";
        meta.textContent = item.type_label + (item.subtitle ? " · " + item.subtitle : "");
        link.appendChild(title);
        link.appendChild(meta);
        li.appendChild(link);
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the input until the link is followed
          window.location.href = item.url;
        });
        list.appendChild(li);
        options.push(li);
      });
      active = -1;
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = (form.getAttribute("data-status-template") || "%(count)s").replace(
          "%(count)s",
          String(options.length)
        );
      } else {
        close();
        status.textContent = "";
      }
    }

    function request() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        close();
        return;
      }
      serial += 1;
      var mine = serial;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine === serial) render(data);
        })
        .catch(function () {
          /* offline or aborted: the form still submits to /search/ */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(request, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden || !options.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = options[active].querySelector("a").href;
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-suggest-url]");
    Array.prototype.forEach.call(forms, setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
