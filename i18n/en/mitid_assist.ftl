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
callers-coming = What this screen will do
callers-coming-search = Find a caller by name, phone number, e-mail or case number as you type
callers-coming-card = See the caller's details and earlier contacts
callers-coming-issue = Issue a P-code, shown to you once to read aloud — only while MitID Support is open
callers-coming-revoke = Revoke a P-code and log how the call ended
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
audit-coming = What this screen will do
audit-coming-list = List and filter the log by date, agent and action
audit-coming-verify = Check that no entry was edited, removed or reordered
audit-coming-export = Export to CSV or JSON
