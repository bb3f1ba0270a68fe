/**
 * The commented example config (a copy of docs/config.example.yaml; a test keeps them equal).
 * A fresh config.yaml is written from it so new users get every key explained.
 */
export const CONFIG_EXAMPLE_YAML = `# AILLM configuration (config.yaml).
#
# Where it lives: \`--config PATH\`, else $AILLM_CONFIG, else the user's config folder
# (Linux ~/.config/aillm/config.yaml or $XDG_CONFIG_HOME/aillm/config.yaml, macOS
# ~/Library/Application Support/AILLM/config.yaml, Windows %APPDATA%\\AILLM\\config.yaml; the desktop
# app uses its own data folder). Every key is optional: a missing key takes the default shown here,
# and a missing file means "all defaults" (Ollama on this machine). Unknown keys are errors, so a typo
# never silently does nothing. The file is reloaded when it changes; a bad edit keeps the last good
# config and reports the problem with its line and column.
#
# Environment overrides (applied after this file): AILLM_API_HOST, AILLM_API_PORT, AILLM_API_TOKEN,
# AILLM_ORIGINS (comma-separated origins, as OLLAMA_ORIGINS; replaces api.allowed_origins).
#
# Server addresses follow Ollama's OLLAMA_HOST rules: \`host\` means http://host:11434, \`host:port\`
# means http://host:port, and an explicit \`http://host\` without a port means port 80.

# Language-model settings.
llm:
  # Model providers by name; Ollama is the one AILLM routes between.
  providers:
    # The Ollama servers and how to route between them: the product spec's keys, then AILLM's own.
    ollama:
      # Use Ollama at all. Default: true.
      enabled: true
      # The main server (e.g. the powerful GPU box), named \`primary\`, with PRIMARY priority.
      # Example: http://192.168.178.126:11434. Default: null (no main server).
      base_url: null
      # Other addresses of the main server, tried in order when the current one fails. Example:
      #   - ollama-server.local:11434   # mDNS name: survives a changing IP
      #   - ollama.local:11434
      # Default: [] (none).
      fallback_urls: []
      # More servers. Each needs a unique \`name\`, a \`url\` and a \`priority\`:
      # PRIMARY (for all tasks), SECONDARY (for fallback or specific tasks) or FALLBACK (only when
      # the others are unavailable); several servers may share a priority. Default: this machine,
      # as below, but only when base_url is not set either (otherwise []).
      # With base_url set, the spec's example lists this machine as SECONDARY plus e.g.
      #   - name: backup_gpu
      #     url: http://192.168.178.200:11434
      #     priority: FALLBACK
      additional_servers:
        - name: localhost # unique name, shown in the UI and the logs
          url: http://localhost:11434 # where its Ollama listens
          priority: PRIMARY # PRIMARY, SECONDARY or FALLBACK
      # Route each message to the best (model, server) pair. false (or a single server): plain
      # one-server mode, everything goes to one server as a normal client would. Default: true.
      distributed_mode: true
      # Find more servers on the LAN over mDNS (\`_ollama._tcp\` and *.local names). Default: false,
      # because it sends multicast on the LAN and finds machines you never named.
      auto_discover: false
      # Use discovered servers without asking first. Default: false (they wait until trusted).
      trust_discovered: false
      # mDNS service names you trusted (the UI adds to this list). Default: [].
      trusted_servers: []
      # Publish this machine's Ollama as \`_ollama._tcp\` so another AILLM finds it. Default: false.
      advertise: false
      # When AILLM answers from elsewhere instead of waiting for a long model load, let that load
      # finish in the background so the next message can use the model. Default: true.
      background_loads: true
      # Let \`auto\` use cloud models (e.g. gpt-oss:120b-cloud): they send the conversation to
      # ollama.com, off your LAN. A model asked for by name is used either way. Default: false.
      allow_cloud_models: false
      # mDNS options.
      mdns:
        # Use mDNS at all (for *.local names and discovery). Default: true.
        enabled: true
        # IPv4 address of the network interface to use; null = the system's choice. Default: null.
        interface: null
      # Timeouts, in milliseconds (each at most 2147483647, about 24.8 days).
      timeouts:
        # Connecting to a server and getting response headers. Default: 1500.
        connect_ms: 1500
        # A whole health probe of one server (/api/version, /api/tags, /api/ps). Default: 2500.
        probe_ms: 2500
        # AILLM predicts how long a server may be silent before its first token (our queue, a load
        # from the model's size and the server's measured disk speed, the prompt at its measured
        # rate) and waits that long plus wedge_margin_ms. These two cap that wait.
        # A loaded model: at most this beyond the predicted queue and prompt time. Default: 15000.
        first_token_ms: 15000
        # A cold model: at most this for queue + load; a longer predicted load is answered elsewhere
        # at once (see background_loads). Default: 90000.
        cold_first_token_ms: 90000
        # Longest silence between two tokens before the stream counts as broken. Default: 30000.
        stall_ms: 30000
        # A silent server gets a status check (/api/version); no answer within this = frozen, and
        # the message goes elsewhere (about 2 s in all). Default: 1500.
        side_probe_ms: 1500
        # How far past its predicted wait a silent server may go before it counts as wedged (at
        # least; a quarter of a long prediction). Default: 4000.
        wedge_margin_ms: 4000
      # Seconds between health checks of a server that is online (at most 86400). Default: 15.
      health_check_interval_s: 15
      # Preferred models per task type, best first. Task types: greeting, chat, explanation, code,
      # reasoning, writing. Example:
      #   code: [qwen2.5-coder:14b]
      #   reasoning: [llama3.3:70b]
      # Default: {} (the router picks by tier).
      task_models: {}
      # Extra tiering rules, checked before the built-in table: \`match\` is a case-insensitive regular
      # expression on the model tag; \`tier\` is fast, balanced or powerful; \`specialisations\` lists
      # code, reasoning, vision or embedding. Example:
      #   - match: '^my-coder'
      #     tier: balanced
      #     specialisations: [code]
      # Default: [].
      tier_rules: []
# The local API: an Ollama- and OpenAI-compatible endpoint plus the web dashboard.
api:
  # Address to listen on. Anything but a loopback address (127.0.0.1, ::1, localhost) needs a token.
  # Default: 127.0.0.1.
  host: 127.0.0.1
  # Port to listen on. Default: 8000.
  port: 8000
  # Bearer token clients must send; null = none (only allowed on a loopback host). Default: null.
  token: null
  # Browser origins allowed besides Ollama's defaults (http(s)://localhost, 127.0.0.1 and 0.0.0.0 on any
  # port, app://, file://, tauri://, vscode-webview://, vscode-file://), like OLLAMA_ORIGINS: exact
  # origins or patterns with one *, e.g. "chrome-extension://*"; "*" allows every page. The token still
  # applies. Default: [].
  allowed_origins: []
`
