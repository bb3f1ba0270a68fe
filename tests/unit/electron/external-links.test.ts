import { describe, expect, it } from 'vitest'
import { externalUrlProblem, isSafeExternalUrl } from '../../../electron/main/external-links'

describe('isSafeExternalUrl', () => {
  it.each([
    'https://ollama.com/library/gemma3',
    'http://192.168.178.126:11434/',
    'https://github.com/ollama/ollama/issues/3802#issuecomment-1',
    'https://example.com/search?q=a%20b',
    'HTTPS://EXAMPLE.COM/',
  ])('opens %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true)
  })

  it.each<[unknown, RegExp]>([
    ['file:///etc/passwd', /scheme file:/],
    ['javascript:alert(1)', /scheme javascript:/],
    ['smb://attacker/share', /scheme smb:/],
    ['ms-msdt:/id%20PCWDiagnostic', /scheme ms-msdt:/],
    ['app://aillm/index.html', /scheme app:/],
    ['data:text/html,<script>1</script>', /scheme data:/],
    ['vscode://file/etc/passwd', /scheme vscode:/],
    ['https://bank.example@evil.example/', /credentials/],
    ['https://user:pw@example.com/', /credentials/],
    ['https://exa mple.com/', /whitespace/],
    ['https://example.com/\u0000', /control/],
    [' https://example.com/', /whitespace/],
    ['/relative/path', /absolute URL/],
    ['', /empty/],
    [`https://example.com/${'a'.repeat(3000)}`, /longer than/],
    [42, /not a string/],
    [null, /not a string/],
  ])('refuses %s', (url, why) => {
    expect(isSafeExternalUrl(url)).toBe(false)
    expect(externalUrlProblem(url)).toMatch(why)
  })
})
