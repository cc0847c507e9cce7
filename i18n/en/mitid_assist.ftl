app-title = MitID Assist

## Navigation and header
nav-callers = Callers & P-codes
nav-enrollment = Counter enrollment
nav-audit = Audit
# The button shows the language it switches to, in that language.
switch-language = Dansk
theme-system = Theme: system
theme-light = Theme: light
theme-dark = Theme: dark
keyboard-hint = Tab moves between buttons, Enter chooses, Esc goes back. Ctrl+1, 2, 3 open the screens; Ctrl+Q quits.

## Demo mode
demo-banner = DEMO MODE — for training only. Reader, chips, camera, clock and backend are simulated; nothing here reaches MitID.
demo-clock = Simulated time { $time }

## Configuration problems shown in the window
config-warning = The configuration file could not be used, so the built-in defaults apply: { $error }

## Status bar: MitID Support's hours (Copenhagen time)
status-support = MitID Support
status-open = Open — closes { $when }
status-closed = Closed — opens { $when }
status-closed-indefinitely = Closed — no opening is planned
status-special-hours = Special hours: { $note }
status-local-time = { $time } in Copenhagen
when-today = { $time }
when-tomorrow = tomorrow { $time }
when-weekday = { $weekday } { $time }
when-date = { $day } { $month } { $time }

weekday-monday = Monday
weekday-tuesday = Tuesday
weekday-wednesday = Wednesday
weekday-thursday = Thursday
weekday-friday = Friday
weekday-saturday = Saturday
weekday-sunday = Sunday

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

holiday-new-years-day = New Year's Day
holiday-maundy-thursday = Maundy Thursday
holiday-good-friday = Good Friday
holiday-easter-sunday = Easter Sunday
holiday-easter-monday = Easter Monday
holiday-great-prayer-day = General Prayer Day
holiday-ascension-day = Ascension Day
holiday-whitsunday = Whitsunday
holiday-whit-monday = Whit Monday
holiday-constitution-day = Constitution Day
holiday-christmas-day = Christmas Day
holiday-boxing-day = Boxing Day
day-dec24 = Christmas Eve
day-dec31 = New Year's Eve

## Shared
not-built-yet = Not available yet in this version. This screen shows what it will do; nothing here works for real yet.
step-back = Back
step-next = Next

## Callers & P-codes
callers-title = Callers & P-codes
callers-intro = Find the person who is calling, check who they are, and give them a P-code: an 8-digit code they type into the MitID app instead of a CPR number. A P-code works for 60 days and 3 tries, and only once.
callers-pcode-open = P-codes may be issued now: MitID Support is open until { $when }.
callers-pcode-closed = P-codes cannot be issued now: MitID Support opens { $when }.
callers-pcode-closed-indefinitely = P-codes cannot be issued now: MitID Support is closed and no opening is planned.

## Counter enrollment
enrollment-title = Counter enrollment
enrollment-intro = For a person at the desk with a foreign passport or ID card. Four steps, one at a time.
enrollment-step = Step { $number } of { $total }
step-mrz = Document
step-mrz-body = Read the two or three machine-readable lines at the bottom of the passport or ID card — with the webcam, an MRZ swipe reader, or by typing the fields. Check digits are verified as you go, and an expired document is flagged before anything else happens.
step-chip = Chip
step-chip-body = Place the document on the contactless reader and keep it still. The chip is read and its data checked against the issuing country's certificates, so you can see whether the document is genuine.
step-face = Face
step-face-body = Take a photo of the person with the webcam and compare it with the photo stored on the chip. The app shows how close they are; you decide.
step-handover = Hand-over
step-handover-body = The person creates their User-ID, links their phone and activates MitID in their own app. Look away while they type: you never see their User-ID or PIN.

## Audit
audit-title = Audit
audit-intro = Every action that matters — P-codes issued and used, enrollment verdicts — is written to a log that shows if anything was changed afterwards.

## Callers & P-codes: search, card, form, dialogs
callers-hint = Type a name, a phone number, an e-mail address or a reference (C-123, P-1a2b3c4d). Ctrl+F jumps here; the arrow keys and Enter open a result.
search-hint = Search callers…
search-none = No caller matches. Check the spelling, or add a new caller.
new-caller = New caller
match-phone = (phone)
match-email = (e-mail)
match-reference = (reference)
match-fuzzy = (similar name)
caller-edit = Edit
caller-delete = Delete
caller-reference = Reference
caller-document = Document
caller-show-numbers = Show full document numbers
caller-hide-numbers = Hide document numbers
pcodes-title = P-codes
issue-pcode = Issue P-code
pcode-active = active, { $attempts } attempts left
pcode-expired = expired
pcode-consumed = used
pcode-locked = locked after 3 wrong attempts
pcode-revoked = revoked
pcode-expires = valid until { $date }
pcode-revoke = Revoke
contacts-title = Contacts
contact-phone = Phone
contact-counter = Counter
contact-outcome-hint = Outcome, e.g. P-code issued
contact-note-hint = Note (optional)
contact-log = Log contact
form-new-title = New caller
form-edit-title = Edit caller
form-given = Given names
form-given-hint = As in the passport
form-family = Family name
form-family-hint = As in the passport
form-birth = Date of birth
form-nationality = Nationality
form-language = Language
form-phones = Phone numbers
form-phones-hint = With country code, or 8 digits for Denmark; separate with commas
form-email = E-mail
form-passport = Passport number
form-passport-hint = Optional; added as a passport of the nationality
form-notes = Notes
form-save = Save
form-cancel = Cancel
invalid-no-name = Enter a given name or a family name.
invalid-too-long = A field is too long.
invalid-email = «{ $value }» is not an e-mail address.
invalid-country = «{ $value }» is not a country code: use the three letters from the passport, such as UKR or DEU.
invalid-document = A document needs its number.
invalid-future-birth = The date of birth { $value } is in the future.
invalid-phone = «{ $value }» is not a phone number: include the country code, or give 8 digits for a Danish number.
invalid-date = «{ $value }» is not a date: write it as YYYY-MM-DD.
invalid-passport-country = Enter the nationality too: it says which country issued the passport.
error-closed = MitID Support is closed, so no P-code can be issued now.
error-no-caller = This caller no longer exists; they may have been deleted or merged.
error-too-many-active = The caller already has { $count } usable P-code(s). Revoke it first if a new one is needed.
error-already-void = This P-code can no longer be used, so there is nothing to revoke.
error-key-mismatch = The P-code key in the keyring is not the one this database was made with. Ask IT to restore the keyring entry; until then no P-code can be issued or checked.
error-database = The database could not do this: { $detail }
dialog-cancel = Cancel
confirm-issue-title = Issue a P-code to { $name }?
confirm-issue-body = The code is shown to you once, to read out to the caller. It works for 60 days and 3 attempts, and only once.
code-title = P-code for { $name }
code-facts = Reference { $reference } · valid until { $expires } · 3 attempts
code-once = Read the code out now. It will not be shown again.
code-done = I have read it out
code-close-confirm = Once closed, the code cannot be shown again. Close it?
code-keep = Keep it open
code-close-now = Close
confirm-revoke-title = Revoke { $reference }?
confirm-revoke-body = The code stops working at once. Say why; the reason is kept with the code.
revoke-reason-hint = Reason, e.g. the caller lost it
confirm-delete-title = Delete { $name }?
confirm-delete-body = Their details, contacts and P-codes are deleted for good, as the caller asked. The audit log keeps only that a caller was deleted.
desk-opening = Opening the caller register…
desk-unavailable = The caller register cannot be opened: { $detail }
desk-retry = Try again
confirm-issue-yes = Issue the code
confirm-revoke-yes = Revoke the code
confirm-delete-yes = Delete for good

## Audit screen
audit-agent = Agent
audit-action = Action (e.g. pcode.)
audit-from = From (YYYY-MM-DD)
audit-until = Until (YYYY-MM-DD)
audit-show = Show
audit-verify = Check the whole log
audit-export-csv = Export CSV…
audit-export-json = Export JSON…
audit-export-title = Export the audit log
audit-export-cancelled = Export cancelled (or no save dialog is available on this desktop: use `mitid-assist audit export` instead).
audit-exported = { $count } entries saved to { $path }. The file shows who did what, when: keep it as safe as the log.
audit-export-failed = The file could not be written: { $detail }
audit-intact = The log is intact: all { $count } entries are unchanged and in order.
audit-edited = THE LOG WAS CHANGED: entry { $seq } is not what was written.
audit-broken = THE LOG WAS CHANGED: entry { $seq } does not follow entry { $after }; entries were removed or reordered.
audit-truncated = THE LOG WAS CHANGED: it ends at entry { $last }, but entry { $head } was written.
audit-empty = No entries match.
audit-col-seq = #
audit-col-time = Time (Copenhagen)
audit-col-agent = Agent
audit-col-action = Action
audit-col-subject = Subject
audit-col-verdict = Verdict
caller-merge = Merge duplicate…
merge-title = Merge a duplicate into { $name }
merge-body = Give the reference of the other record of the same person (such as C-123). Its phone numbers, documents, contacts and P-codes move here, empty fields are filled in, and the other record is deleted.
merge-yes = Merge and delete the duplicate
merge-bad-reference = «{ $value }» is not another caller's reference: write it as C-123.

# Trust: the CSCA certificates documents are checked against
nav-trust = Trust
trust-title = Trusted document issuers
trust-intro = A document's chip is checked against the signing certificates (CSCA) of the country that issued it. Import the master lists your organisation uses — Germany and the Netherlands publish lists that cover most countries — or single CSCA certificates and revocation lists.
trust-import = Import a master list or certificate…
trust-import-title = Import trusted issuers
trust-import-filter = Master lists, certificates and revocation lists
trust-import-cancelled = Nothing imported (or no file dialog is available on this desktop: use `mitid-assist trust import FILE` instead).
trust-importing = Importing and checking the file…
trust-imported = { $name }: { $kind } — { $added } new, { $already } already trusted.
trust-signed-by = Signed by { $signer }.
trust-kind-master-list = master list
trust-kind-certificate = certificate
trust-kind-crl = revocation list
trust-empty = No issuers are trusted yet, so no document can be verified: import a master list.
trust-total = { $certificates } certificates from { $countries } countries, { $crls } revocation lists.
trust-col-country = Country
trust-col-certificates = Certificates
trust-col-valid-until = Newest valid until
trust-no-data-dir = There is no data folder to keep trusted issuers in: start the app with --data-dir.
trust-error-io = The file { $path } cannot be used: { $detail }
trust-error-damaged = The list of trusted issuers was damaged; it was set aside as { $path } and a new one started. Import the master lists again.
trust-error-unrecognized = This file is not a master list, a certificate or a revocation list. Nothing was imported.
trust-error-not-ca = This certificate cannot issue documents' signing certificates (it is not a CSCA). Nothing was imported.
trust-error-signature = The list's own signature does not verify: it may have been altered. Nothing was imported; get the list again from its publisher.
trust-error-rejected = The file could not be checked ({ $detail }). Nothing was imported.

# The MRZ step
month-names = January, February, March, April, May, June, July, August, September, October, November, December
mrz-mode-typed = Type the fields
mrz-mode-lines = Swipe or paste the MRZ
mrz-mode-can = ID card number (CAN)
mrz-kind-passport = Passport
mrz-kind-id-card = ID card
mrz-field-number = Document number
mrz-field-birth = Date of birth
mrz-field-expiry = Date of expiry
mrz-field-lines = The MRZ lines
mrz-field-personal = personal number
mrz-field-composite = the whole line
mrz-field-can = CAN
mrz-number-hint = As printed, e.g. L898902C3
mrz-year = Year
mrz-month = Month
mrz-day = Day
mrz-lines-hint = Swipe the document through the MRZ reader, or paste the two or three lines at the bottom of the data page.
mrz-can-hint = The six digits printed on the front of the ID card (the card access number).
mrz-next = Read the chip
mrz-waiting = Enter the document's data; it is checked as you go.
mrz-ready = The data checks out. Place the document on the reader.
mrz-ready-can = Six digits: the chip will tell whether the CAN is right.
mrz-expired = The document has expired. MitID needs a valid document: read it only to check who the person is.
mrz-missing = { $field } is missing.
mrz-number-characters = The document number can only have letters A–Z and digits.
mrz-check-digit = The check digit of the { $field } does not match: look for a typo in that field.
mrz-check-composite = The last check digit does not match: look again at the second line.
mrz-shape = An MRZ has two lines of 44 or 36 characters, or three of 30; this has { $found }.
mrz-character = Line { $line }, position { $position }: «{ $character }» cannot be in an MRZ.
mrz-document-code = «{ $code }» is not a passport or ID card code.
mrz-visa = This is a visa. MitID needs the passport or ID card itself.
mrz-not-a-date = The { $field } is not a real date.
mrz-can-digits = The CAN is six digits.
