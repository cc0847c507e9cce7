app-title = MitID Assist

## Navigation og top
nav-callers = Opkald og P-koder
nav-enrollment = Oprettelse ved skranken
nav-audit = Revisionslog
# Knappen viser det sprog, den skifter til, på det sprog.
switch-language = English
theme-system = Tema: system
theme-light = Tema: lyst
theme-dark = Tema: mørkt
keyboard-hint = Tab flytter mellem knapper, Enter vælger, Esc går tilbage. Ctrl+1, 2, 3 åbner skærmene; Ctrl+Q afslutter.

## Demotilstand
demo-banner = DEMOTILSTAND — kun til undervisning. Læser, chips, kamera, ur og server er simulerede; intet her når MitID.
demo-clock = Simuleret tid { $time }

## Problemer med konfigurationen, vist i vinduet
config-warning = Konfigurationsfilen kunne ikke bruges, så de indbyggede standardværdier gælder: { $error }

## Statuslinje: MitID Supports åbningstider (dansk tid)
status-support = MitID Support
status-open = Åben — lukker { $when }
status-closed = Lukket — åbner { $when }
status-closed-indefinitely = Lukket — ingen åbning er planlagt
status-special-hours = Særlige åbningstider: { $note }
status-local-time = Klokken { $time } i København
when-today = { $time }
when-tomorrow = i morgen { $time }
when-weekday = { $weekday } { $time }
when-date = { $day }. { $month } { $time }

weekday-monday = mandag
weekday-tuesday = tirsdag
weekday-wednesday = onsdag
weekday-thursday = torsdag
weekday-friday = fredag
weekday-saturday = lørdag
weekday-sunday = søndag

month-1 = januar
month-2 = februar
month-3 = marts
month-4 = april
month-5 = maj
month-6 = juni
month-7 = juli
month-8 = august
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

holiday-new-years-day = Nytårsdag
holiday-maundy-thursday = Skærtorsdag
holiday-good-friday = Langfredag
holiday-easter-sunday = Påskedag
holiday-easter-monday = 2. påskedag
holiday-great-prayer-day = Store bededag
holiday-ascension-day = Kristi himmelfartsdag
holiday-whitsunday = Pinsedag
holiday-whit-monday = 2. pinsedag
holiday-constitution-day = Grundlovsdag
holiday-christmas-day = Juledag
holiday-boxing-day = 2. juledag
day-dec24 = Juleaftensdag
day-dec31 = Nytårsaftensdag

## Fælles
not-built-yet = Ikke tilgængelig i denne version endnu. Skærmen viser, hvad den kommer til at gøre; intet her virker for alvor endnu.
step-back = Tilbage
step-next = Næste

## Opkald og P-koder
callers-title = Opkald og P-koder
callers-intro = Find den person, der ringer, tjek hvem de er, og giv dem en P-kode: en 8-cifret kode, de skriver i MitID-appen i stedet for et CPR-nummer. En P-kode gælder i 60 dage og til 3 forsøg, og kan kun bruges én gang.
callers-pcode-open = P-koder kan udstedes nu: MitID Support har åbent til { $when }.
callers-pcode-closed = P-koder kan ikke udstedes nu: MitID Support åbner { $when }.
callers-pcode-closed-indefinitely = P-koder kan ikke udstedes nu: MitID Support er lukket, og ingen åbning er planlagt.

## Oprettelse ved skranken
enrollment-title = Oprettelse ved skranken
enrollment-intro = Til en person ved skranken med udenlandsk pas eller ID-kort. Fire trin, ét ad gangen.
enrollment-step = Trin { $number } af { $total }
step-mrz = Dokument
step-mrz-body = Læs de to eller tre maskinlæsbare linjer nederst i passet eller på ID-kortet — med webkameraet, en MRZ-læser eller ved at skrive felterne. Kontrolcifrene tjekkes undervejs, og et udløbet dokument markeres, før noget andet sker.
step-chip = Chip
step-chip-body = Læg dokumentet på den kontaktløse læser, og hold det stille. Chippen læses, og dens data kontrolleres mod det udstedende lands certifikater, så du kan se, om dokumentet er ægte.
step-face = Ansigt
step-face-body = Tag et foto af personen med webkameraet, og sammenlign det med fotoet på chippen. Appen viser, hvor godt de ligner hinanden; du afgør det.
step-handover = Overdragelse
step-handover-body = Personen opretter sit bruger-ID, tilknytter sin telefon og aktiverer MitID i sin egen app. Kig væk, mens de skriver: du ser aldrig deres bruger-ID eller PIN-kode.

## Revisionslog
audit-title = Revisionslog
audit-intro = Alle vigtige handlinger — udstedte og brugte P-koder, resultater af oprettelser — skrives i en log, der afslører, hvis noget er ændret bagefter.

## Opkald og P-koder: søgning, kort, formular, dialoger
callers-hint = Skriv et navn, et telefonnummer, en e-mailadresse eller en reference (C-123, P-1a2b3c4d). Ctrl+F hopper hertil; piletasterne og Enter åbner et resultat.
search-hint = Søg efter opkalder…
search-none = Ingen opkalder passer. Tjek stavningen, eller opret en ny opkalder.
new-caller = Ny opkalder
match-phone = (telefon)
match-email = (e-mail)
match-reference = (reference)
match-fuzzy = (lignende navn)
caller-edit = Rediger
caller-delete = Slet
caller-reference = Reference
caller-document = Dokument
caller-show-numbers = Vis hele dokumentnumre
caller-hide-numbers = Skjul dokumentnumre
pcodes-title = P-koder
issue-pcode = Udsted P-kode
pcode-active = aktiv, { $attempts } forsøg tilbage
pcode-expired = udløbet
pcode-consumed = brugt
pcode-locked = spærret efter 3 forkerte forsøg
pcode-revoked = tilbagekaldt
pcode-expires = gyldig til { $date }
pcode-revoke = Tilbagekald
contacts-title = Henvendelser
contact-phone = Telefon
contact-counter = Skranke
contact-outcome-hint = Resultat, fx P-kode udstedt
contact-note-hint = Note (valgfri)
contact-log = Noter henvendelse
form-new-title = Ny opkalder
form-edit-title = Rediger opkalder
form-given = Fornavne
form-given-hint = Som i passet
form-family = Efternavn
form-family-hint = Som i passet
form-birth = Fødselsdato
form-nationality = Nationalitet
form-language = Sprog
form-phones = Telefonnumre
form-phones-hint = Med landekode, eller 8 cifre for Danmark; adskil med komma
form-email = E-mail
form-passport = Pasnummer
form-passport-hint = Valgfrit; tilføjes som pas fra nationalitetens land
form-notes = Noter
form-save = Gem
form-cancel = Annuller
invalid-no-name = Skriv et fornavn eller et efternavn.
invalid-too-long = Et felt er for langt.
invalid-email = «{ $value }» er ikke en e-mailadresse.
invalid-country = «{ $value }» er ikke en landekode: brug de tre bogstaver fra passet, fx UKR eller DEU.
invalid-document = Et dokument skal have sit nummer.
invalid-future-birth = Fødselsdatoen { $value } ligger i fremtiden.
invalid-phone = «{ $value }» er ikke et telefonnummer: tag landekoden med, eller skriv 8 cifre for et dansk nummer.
invalid-date = «{ $value }» er ikke en dato: skriv den som ÅÅÅÅ-MM-DD.
invalid-passport-country = Skriv også nationaliteten: den angiver, hvilket land der har udstedt passet.
error-closed = MitID Support er lukket, så der kan ikke udstedes en P-kode nu.
error-no-caller = Opkalderen findes ikke længere; de kan være slettet eller lagt sammen med en anden.
error-too-many-active = Opkalderen har allerede { $count } brugbar(e) P-kode(r). Tilbagekald den først, hvis der skal en ny.
error-already-void = P-koden kan ikke længere bruges, så der er intet at tilbagekalde.
error-key-mismatch = P-kodenøglen i nøgleringen er ikke den, databasen blev lavet med. Bed IT om at genskabe nøglen; indtil da kan ingen P-kode udstedes eller kontrolleres.
error-database = Databasen kunne ikke gøre det: { $detail }
dialog-cancel = Annuller
confirm-issue-title = Udsted en P-kode til { $name }?
confirm-issue-body = Koden vises for dig én gang, så du kan læse den op for opkalderen. Den gælder i 60 dage og til 3 forsøg, og kan kun bruges én gang.
code-title = P-kode til { $name }
code-facts = Reference { $reference } · gyldig til { $expires } · 3 forsøg
code-once = Læs koden op nu. Den bliver ikke vist igen.
code-done = Jeg har læst den op
code-close-confirm = Når koden er lukket, kan den ikke vises igen. Luk den?
code-keep = Behold den åben
code-close-now = Luk
confirm-revoke-title = Tilbagekald { $reference }?
confirm-revoke-body = Koden holder op med at virke med det samme. Skriv hvorfor; begrundelsen gemmes sammen med koden.
revoke-reason-hint = Begrundelse, fx opkalderen har mistet den
confirm-delete-title = Slet { $name }?
confirm-delete-body = Oplysninger, henvendelser og P-koder slettes for altid, som opkalderen har bedt om. Revisionsloggen gemmer kun, at en opkalder blev slettet.
desk-opening = Åbner opkaldsregistret…
desk-unavailable = Opkaldsregistret kan ikke åbnes: { $detail }
desk-retry = Prøv igen
confirm-issue-yes = Udsted koden
confirm-revoke-yes = Tilbagekald koden
confirm-delete-yes = Slet for altid

## Revisionslog
audit-agent = Medarbejder
audit-action = Handling (fx pcode.)
audit-from = Fra (ÅÅÅÅ-MM-DD)
audit-until = Til (ÅÅÅÅ-MM-DD)
audit-show = Vis
audit-verify = Kontroller hele loggen
audit-export-csv = Eksporter CSV…
audit-export-json = Eksporter JSON…
audit-export-title = Eksporter revisionsloggen
audit-export-cancelled = Eksporten blev annulleret (eller der findes ingen gem-dialog på dette skrivebord: brug `mitid-assist audit export` i stedet).
audit-exported = { $count } poster gemt i { $path }. Filen viser, hvem der gjorde hvad og hvornår: pas lige så godt på den som på loggen.
audit-export-failed = Filen kunne ikke skrives: { $detail }
audit-intact = Loggen er intakt: alle { $count } poster er uændrede og i rækkefølge.
audit-edited = LOGGEN ER ÆNDRET: post { $seq } er ikke, hvad der blev skrevet.
audit-broken = LOGGEN ER ÆNDRET: post { $seq } følger ikke efter post { $after }; poster er fjernet eller flyttet.
audit-truncated = LOGGEN ER ÆNDRET: den slutter ved post { $last }, men post { $head } blev skrevet.
audit-empty = Ingen poster passer.
audit-col-seq = #
audit-col-time = Tid (København)
audit-col-agent = Medarbejder
audit-col-action = Handling
audit-col-subject = Emne
audit-col-verdict = Resultat
caller-merge = Læg dublet sammen…
merge-title = Læg en dublet sammen med { $name }
merge-body = Skriv referencen på den anden post for samme person (fx C-123). Dens telefonnumre, dokumenter, henvendelser og P-koder flyttes hertil, tomme felter udfyldes, og den anden post slettes.
merge-yes = Læg sammen og slet dubletten
merge-bad-reference = «{ $value }» er ikke en anden opkalders reference: skriv den som C-123.

# Tillid: de CSCA-certifikater, dokumenter tjekkes mod
nav-trust = Tillid
trust-title = Betroede dokumentudstedere
trust-intro = Et dokuments chip tjekkes mod signeringscertifikaterne (CSCA) fra det land, der har udstedt det. Importér de masterlister, jeres organisation bruger — Tyskland og Holland udgiver lister, der dækker de fleste lande — eller enkelte CSCA-certifikater og spærrelister.
trust-import = Importér en masterliste eller et certifikat…
trust-import-title = Importér betroede udstedere
trust-import-filter = Masterlister, certifikater og spærrelister
trust-import-cancelled = Intet blev importeret (eller der findes ingen fil-dialog på dette skrivebord: brug `mitid-assist trust import FIL` i stedet).
trust-importing = Importerer og tjekker filen…
trust-imported = { $name }: { $kind } — { $added } nye, { $already } var allerede betroet.
trust-signed-by = Signeret af { $signer }.
trust-kind-master-list = masterliste
trust-kind-certificate = certifikat
trust-kind-crl = spærreliste
trust-empty = Ingen udstedere er betroet endnu, så intet dokument kan verificeres: importér en masterliste.
trust-total = { $certificates } certifikater fra { $countries } lande, { $crls } spærrelister.
trust-col-country = Land
trust-col-certificates = Certifikater
trust-col-valid-until = Nyeste gyldig til
trust-no-data-dir = Der er ingen datamappe at gemme betroede udstedere i: start programmet med --data-dir.
trust-error-io = Filen { $path } kan ikke bruges: { $detail }
trust-error-damaged = Listen over betroede udstedere var beskadiget; den er lagt til side som { $path }, og en ny er startet. Importér masterlisterne igen.
trust-error-unrecognized = Filen er hverken en masterliste, et certifikat eller en spærreliste. Intet blev importeret.
trust-error-not-ca = Dette certifikat kan ikke udstede dokumenters signeringscertifikater (det er ikke et CSCA). Intet blev importeret.
trust-error-signature = Listens egen signatur holder ikke: den kan være ændret. Intet blev importeret; hent listen igen hos udgiveren.
trust-error-rejected = Filen kunne ikke tjekkes ({ $detail }). Intet blev importeret.

# MRZ-trinnet
month-names = januar, februar, marts, april, maj, juni, juli, august, september, oktober, november, december
mrz-mode-typed = Indtast felterne
mrz-mode-lines = Scan eller indsæt MRZ
mrz-mode-can = ID-kortets nummer (CAN)
mrz-kind-passport = Pas
mrz-kind-id-card = ID-kort
mrz-field-number = Dokumentnummer
mrz-field-birth = Fødselsdato
mrz-field-expiry = Udløbsdato
mrz-field-lines = MRZ-linjerne
mrz-field-personal = personnummeret
mrz-field-composite = hele linjen
mrz-field-can = CAN
mrz-number-hint = Som trykt, fx L898902C3
mrz-year = År
mrz-month = Måned
mrz-day = Dag
mrz-lines-hint = Træk dokumentet gennem MRZ-læseren, eller indsæt de to eller tre linjer nederst på datasiden.
mrz-can-hint = De seks cifre på forsiden af ID-kortet (kortadgangsnummeret).
mrz-next = Læs chippen
mrz-waiting = Indtast dokumentets data; de tjekkes undervejs.
mrz-ready = Data stemmer. Læg dokumentet på læseren.
mrz-ready-can = Seks cifre: chippen afgør, om CAN er rigtig.
mrz-expired = Dokumentet er udløbet. MitID kræver et gyldigt dokument: læs det kun for at tjekke, hvem personen er.
mrz-missing = { $field } mangler.
mrz-number-characters = Dokumentnummeret kan kun have bogstaverne A–Z og cifre.
mrz-check-digit = Kontrolcifferet for { $field } stemmer ikke: se efter en tastefejl i det felt.
mrz-check-composite = Det sidste kontrolciffer stemmer ikke: se den anden linje igennem igen.
mrz-shape = En MRZ har to linjer på 44 eller 36 tegn eller tre på 30; denne har { $found }.
mrz-character = Linje { $line }, position { $position }: «{ $character }» kan ikke stå i en MRZ.
mrz-document-code = «{ $code }» er ikke en kode for pas eller ID-kort.
mrz-visa = Dette er et visum. MitID kræver selve passet eller ID-kortet.
mrz-not-a-date = Feltet { $field } er ikke en rigtig dato.
mrz-can-digits = CAN er seks cifre.
