"""The codeframe's themes as cues: phrases that raise a theme, with the polarity they carry.

Each cue is a regular expression on a clause in lower case (apostrophes straightened, "didnt"
read as "didn't"). A cue with a polarity raises the theme that way ("never heard anything"
is ``kept_informed`` NEG); a cue without one ("cctv", "trial") raises the theme with the
clause's tone (:mod:`victim_voice.themes.rules`). A negation just before a POS or neutral
cue turns it NEG ("not kept updated"); the double negatives that praise ("never had to
chase") are cues of their own, tried first. Written from the codeframe and the ``dev`` part
of the labelled set only.
"""

from __future__ import annotations

# Words that turn what follows negative ("nobody kept me updated", "didn't believe me").
NEGATORS = (
    r"not|never|no|nobody|no one|noone|none|nothing|didn't|did not|don't|doesn't|wasn't|weren't|isn't|"
    r"haven't|hasn't|hadn't|can't|cannot|couldn't|wouldn't|won't|without|hardly|barely|lack of|failed to"
)

_N = r"(?:n't|nt| not)"  # didn't, didnt, did not
_PRONOUN = r"(?:him|her|them|they|he|she|it|me|us|my|the|a|an|his)"
_NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|several|few|couple of)"
_UNIT = r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|fortnight)"
# "nobody told me" about a right is rights_information, not news of the case
_NOT_RIGHTS = r"(?![^|]*\b(?:rights?|review|complain|personal statement|vps|victims'? ?code|compensation|restorative|entitled|i could|available)\b)"

# (theme, polarity or None, pattern). Order matters within a theme only for the double
# negatives: a cue's match is blanked, so a later cue cannot match the same words.
# fmt: off
CUES: tuple[tuple[str, str | None, str], ...] = (
    # kept_informed: news of the case
    ("kept_informed", "POS", r"(?:not once|never) (?:did i have|had i|have i had|had) to chase"),
    ("kept_informed", "POS", r"no complaints about the updates"),
    ("kept_informed", "POS", r"kept (?:me )?(?:updated|informed|up to date|in the loop|posted)"),
    ("kept_informed", "POS", r"(?:always|regularly|weekly) (?:rang|phoned|called|updated|told|let)"),
    ("kept_informed", "POS", r"(?:regular|weekly|clear|good|great) (?:updates|communication|contact about)"),
    ("kept_informed", "POS", r"updated me|updates were (?:regular|great|good|clear)"),
    ("kept_informed", "POS", r"let me know what was happening|told me (?:where|what was|straight|exactly)"),
    ("kept_informed", "POS", r"(?:rang|phoned|called|contacted) (?:me )?(?:personally )?to (?:tell|explain|say|let)"),
    ("kept_informed", "POS", r"(?:rang|phoned|called) (?:me )?(?:every|each) (?:week|fortnight|couple)"),
    ("kept_informed", "POS", r"with (?:news|updates)\b|informed at every|(?:explain|explained) (?:why|the sentence)"),
    ("kept_informed", "POS", r"(?:told|informed) (?:me )?(?:when|that|before|about his release|the (?:court )?result)"),
    ("kept_informed", "POS", r"(?:rang|phoned|called|wrote|a (?:phone )?call|a letter|a text) (?:me )?to (?:say|tell|explain)|explained (?:in|to me|how|what)"),
    ("kept_informed", "POS", r"(?:got|had|gave me|sent me) (?:regular |weekly )?updates|was honest (?:that|about|with me)|kept in the loop"),
    ("kept_informed", "NEG", r"never (?:heard|got|received|had) (?:anything|another thing|a thing|any|a reply|back)"),
    ("kept_informed", "NEG", r"heard nothing|nothing since|never heard from (?:them|anyone)|last i heard"),
    ("kept_informed", "NEG", r"(?:no|not any|not a single|not one|any) (?:updates?|news|feedback|explanation|reply)"),
    ("kept_informed", "NEG", r"(?:wasn't|weren't|not|never|wasnt) (?:kept )?(?:updated|informed|told)"),
    ("kept_informed", "NEG", rf"(?:nobody|no one|noone|no-one|not one person)(?: from the \w+)? (?:has |had |ever )*(?:told|tells|updated|explained|let me know){_NOT_RIGHTS}"),
    ("kept_informed", "NEG", r"(?:don't|didn't|do not|did not|no) (?:even )?(?:know|idea) (?:if|whether|what happened|why)|first i(?: had|'d)? heard|still waiting to hear"),
    ("kept_informed", "NEG", r"without (?:any )?explanation|no (?:contact|word) (?:from|since)|that is the last|that was the last|heard nothing since"),
    ("kept_informed", "NEG", rf"(?:didn't|did not) (?:tell|update|inform|explain){_NOT_RIGHTS}"),
    ("kept_informed", "NEG", r"in the dark|had to (?:chase|keep chasing)|chase (?:for|them|up)|chasing"),
    ("kept_informed", "NEG", r"found out (?!how to|about (?:my|the) right|i could)|read about it|no idea what"),
    ("kept_informed", "NEG", r"who knows|is it still open|still (?:no|don't know|dont know)"),
    ("kept_informed", "NEG", r"(?:terrible|poor|no|bad|great) (?:at )?communication|communication (?:was|is) (?:poor|bad)"),
    ("kept_informed", None, r"\bupdates?\b|\bupdated\b|kept informed"),
    # contact_access: reaching someone, being contacted at all
    ("contact_access", "POS", r"never had (?:any )?trouble getting"),
    ("contact_access", "POS", r"(?:rang|called|contacted|phoned|got in touch with) me (?:back )?(?:the same|within|straight|quickly|the next)"),
    ("contact_access", "POS", r"(?:rang|called) (?:me )?back (?:the same|within|quickly)|called me back within"),
    ("contact_access", "POS", r"easy to (?:get hold|reach|get through|contact|report)|always (?:answered|picked up|rang back|there)"),
    ("contact_access", "POS", r"calls (?:were )?(?:always )?returned|direct (?:number|line)|number to (?:ring|call)"),
    ("contact_access", "POS", r"could (?:text|ring|call|reach|email) (?:my|her|him|them|someone|the)|at the end of the phone"),
    ("contact_access", "POS", r"contacted me within|stayed on the phone|could always reach"),
    ("contact_access", "POS", r"(?:answered|returned) (?:my |all my )?(?:calls|emails|messages)|always (?:got back|replied|responded)|got back to me"),
    ("contact_access", "POS", r"call ?back came|(?:a|the) call from (?:an?|the) (?:officer|worker|detective)|ring (?:her |him |them )?any ?time|at all hours"),
    ("contact_access", "POS", r"stayed on the line|how i(?:'d| would) like to be contacted|(?:her|his) (?:own )?(?:mobile|email)"),
    ("contact_access", "NEG", r"(?:nobody|no one|noone|no-one|never|not once did (?:anyone|they)) (?:ever )?(?:call|called|rang|ring|phoned|contacted|got in touch|got back|came back|comes back)"),
    ("contact_access", "NEG", r"(?:didn't|did not|never) (?:call|ring|phone|get back|got back)"),
    ("contact_access", "NEG", r"rang out|on hold|hold music|answer ?phone|voicemail|never picks? up|no one answered|never answered"),
    ("contact_access", "NEG", r"can(?:'t|not) get (?:through|hold)|couldn't get (?:through|hold)|impossible to (?:reach|contact|get)"),
    ("contact_access", "NEG", r"calls (?:were )?not returned|not returned|9-?5|line (?:was )?closed|no (?:phone )?call"),
    ("contact_access", "NEG", r"no one else could|never contacted|nobody has contacted|wait for them to ring|left (?:\w+ )?messages"),
    ("contact_access", "NEG", r"only (?:got|had|sent) a letter|just a letter|wait(?:ed)? in for"),
    ("contact_access", "NEG", r"(?:never|not) (?:\w+ )?returned|impossible to (?:speak|talk|get|reach)|hung up|none of them worked|no contact"),
    ("contact_access", "NEG", r"(?:kept|keep) (?:ringing|calling|phoning|emailing)|(?:counter|station|office) is (?:closed|shut)|only (?:ever )?rang (?:during|in|when)"),
    ("contact_access", None, r"\b101\b"),
    # timeliness: speed and waiting
    ("timeliness", "POS", r"never had to wait|no waiting|quicker than|moved quickly|(?:quick|fast|prompt|swift) (?:to|response)"),
    ("timeliness", "POS", rf"within (?:the|an|a|half an|\d+|fifteen|twenty|a few|a couple of|hours|minutes|days|{_NUM}) ?(?:hour|minutes?|mins?|hours|days?|{_UNIT})?"),
    ("timeliness", "POS", r"(?:came|arrived|attended|responded|there|seen) (?:out )?(?:really |very |so )?(?:quick(?:ly)?|promptly|fast|in minutes|straight away)"),
    ("timeliness", "POS", r"same (?:day|night|evening|afternoon|morning)|the (?:next|following) (?:day|morning)|the day after|less than a week|in minutes"),
    ("timeliness", "POS", r"\b(?:quickly|promptly|swiftly|straight away)\b|\bfast\b|in (?:\d+|ten|five|twenty|a few) (?:minutes|mins)"),
    (
        "timeliness",
        "NEG",
        rf"(?:took|taken|taking|waited|wait|waiting|after|until|till) (?:over |nearly |almost |about |around )?{_NUM} {_UNIT}",
    ),
    ("timeliness", "NEG", rf"\b{_NUM} {_UNIT} (?:later|on from|and still|wait|waiting|before|after|on and|since|notice)|{_NUM} {_UNIT} and {_NUM} {_UNIT}"),
    ("timeliness", "NEG", rf"for (?:over|more than|nearly|almost) {_NUM} {_UNIT}|for (?:weeks|months|years|ages)|(?:waited|waiting|wait|kept waiting)(?: in| around)? all (?:day|night|morning)"),
    ("timeliness", "NEG", r"waiting list|wait (?:for|was)|still waiting|too (?:long|slow)|so (?:long|slow)|far too|dragged"),
    ("timeliness", "NEG", r"\bslow\b|delay|backlog|took ages|took forever|years? (?:later|on)|months (?:later|on)|by then|too late"),
    # respect_empathy: how the victim was treated
    ("respect_empathy", "POS", r"couldn't have been more|never (?:made|make) me feel|didn't make me feel"),
    ("respect_empathy", "POS", r"(?:was|were) (?:so |really |very |absolutely )?(?:amazing|fantastic|brilliant|great|nice|wonderful|excellent) (?:with|from|to|on|and)"),
    ("respect_empathy", "POS", r"(?:officers?|worker|staff|people|everyone|team|she|he) (?:was|were) (?:so |really |very |absolutely )?(?:amazing|fantastic|brilliant|great|nice|lovely|wonderful)"),
    ("respect_empathy", "NEG", r"(?:was|were) (?:so |really |very |absolutely )?(?:horrible|awful|nasty|unhelpful|vile)"),
    ("respect_empathy", "POS", r"\bkind(?:ness|ly)?\b|patient|patience|listened|understanding|compassion|gentle|lovely"),
    ("respect_empathy", "POS", r"respect|dignity|non.?judg|never judged|didn't (?:rush|judge)|caring|friendly|polite|professional"),
    ("respect_empathy", "POS", r"\bwarm\b|at ease|held my hand|kept me calm|reassuring|interpreter so|used my (?:correct )?name"),
    ("respect_empathy", "POS", r"(?:arranged|got) (?:a |an )?(?:bsl )?interpreter|treated him like an adult|couldn't have been more"),
    ("respect_empathy", "POS", r"sympathetic|gentl\w*|knelt|above and beyond|made it bearable|(?:felt|feel) (?:listened to|like a (?:human|person))|never (?:felt )?rush\w*"),
    ("respect_empathy", "POS", r"made me feel (?:like )?(?:a human|safe|comfortable|at ease|normal)|treated (?:me|him|her|us) like a (?:grown.?up|person|human)|apologis\w*"),
    ("respect_empathy", "POS", r"asked (?:me )?(?:if|whether) i (?:was|felt) (?:ok|okay|alright|all right)|explained every(?:thing| step)|\bcalm\b"),
    ("respect_empathy", "NEG", r"\brude|dismissive|patronising|condescending|wasting (?:their|police) time|\bcold\b|abrupt"),
    ("respect_empathy", "NEG", r"(?:treated|spoke to|spoken to|speak to) (?:me |us )?(?:like|as if)|talk(?:ed|ing)? over|looking at (?:his|her) watch"),
    ("respect_empathy", "NEG", r"on (?:his|her) phone|laughed|shouted|judged|no compassion|\bbored\b|(?:forgot|late)\b.*appointment"),
    ("respect_empathy", "NEG", r"couldn't be bothered|(?:nobody|no one) (?:was kind|listend|listened)|didn't listen|not (?:listened|kind)"),
    ("respect_empathy", "NEG", r"(?:not|never) (?:once )?(?:did )?(?:anyone|anybody|one person) (?:ask|show)|processing me|wasn't in the room"),
    ("respect_empathy", "NEG", r"felt like i didn't matter|spoke to my carer|feel (?:silly|stupid)|i'm not a liar|i am not a liar"),
    ("respect_empathy", "NEG", r"(?:feel|felt|made to feel) like (?:a number|a nuisance|a liar|a suspect|a criminal|a bother|i was (?:the one|wasting|a nuisance))|like a nuisance"),
    ("respect_empathy", "NEG", r"(?:nobody|no one) (?:seemed to |even )?care|didn't (?:seem to )?care|shrugged|overreacting|in front of (?:everyone|people|him|my)|waiting behind me"),
    ("respect_empathy", "NEG", r"(?:no|any) adjustments|(?:nobody|no one|not one person)[^|]*asked (?:if|how) i was|no female officer"),
    ("respect_empathy", "NEG", r"(?:interpreter|instead of me|to translate)"),
    # believed: believed and taken seriously
    ("believed", "POS", r"never (?:once )?(?:doubted|felt like i wasn't believed)|felt believed|recorded (?:it )?(?:properly|as a hate crime)|(?:wasn't|not) my fault"),
    ("believed", "NEG", r"six of one|word against|made it up|making it up|laughed at|didn't seem that bothered"),
    ("believed", "NEG", r"(?:treated|recorded|treat|logged|classed|called|wrote) (?:it |this )?(?:off )?as (?!a hate crime|hate)|just name calling|didn't treat it as|wr(?:ote|itten) (?:it )?off"),
    ("believed", "NEG", r"overreacting|misunderstanding|made to feel like a liar|why i didn't (?:just )?leave|what i(?:'d| had) been drinking|before anyone listened"),
    ("believed", "NEG", r"felt like i was on trial|why didn't i scream|what i'd been wearing|should have known better|shouldn't have sent"),
    ("believed", "NEG", r"no evidence it was him|messing around|because i'm young|because i'd had a drink|i was the problem"),
    ("believed", None, r"believ\w*|took (?:it|me) seriously|taken seriously|took it seriously|as a hate crime"),
    # investigation: what was done about the crime
    ("investigation", "NEG", r"(?:just|only) (?:gave|give|got|given) (?:me )?a (?:crime )?(?:number|reference|ref)|gave me a crime number"),
    ("investigation", "NEG", r"nothing (?:was |has been |more )?(?:done|happened|they could do)|nothing done|box ticking"),
    ("investigation", "NEG", r"(?:didn't|did not|never|not) (?:even )?(?:look|take|investigate|speak|spoke|come|check|seize|follow)"),
    ("investigation", "NEG", r"no (?:forensics|house to house|suspects?|lines? of enquiry|evidence)|not (?:enough|any) evidence|not one witness"),
    ("investigation", "NEG", r"not investigated|not worth investigating|civil matter|hands were tied|wiped|recorded over"),
    ("investigation", "NEG", r"(?:nobody|no one|noone) (?:even )?(?:came|looked|spoke)|didn't even|these things happen|rural crime team didn't"),
    ("investigation", "NEG", r"(?:nothing|not) more they could do|done nothing|did nothing|doing anything|do anything|nothing has been"),
    ("investigation", "NEG", r"(?:never|not|didn't|did not)(?: once| even)? (?:been )?(?:interview\w*|arrest\w*|question\w*|visit\w*|attend\w*|came out|come out|turned up)"),
    ("investigation", "NEG", r"(?:could|should) have done more|they lost|(?:a|the) reference (?:number )?and (?:that|nothing)|automated (?:email|reply|letter)"),
    ("investigation", "POS", r"(?<!been )arrested|\bcaught\b|in custody|detained|seized|traced|identified|thorough|dusted|fingerprints"),
    ("investigation", "POS", r"(?:found|recovered|got) (?:my|the car|it|him|the pictures)|house to house|door to door|went to his house"),
    ("investigation", "POS", r"statements? from|(?:checked|looked at|got|gathered) (?:the |my |all the )?(?:cctv|footage|evidence|bus|dna|phone)"),
    ("investigation", "POS", r"did all they could|taken down|spotted"),
    ("investigation", "POS", r"followed up (?:every|all|each)|(?:went|going|gone) through (?:the |all the )?(?:photos|footage|cctv|evidence)|in a cell|picked (?:him|them) up|came back with a match"),
    ("investigation", None, r"cctv|footage|forensic|investigat\w+|evidence|statement\b|enquiries|doorbell"),
    # outcome_justice: decisions and results
    ("outcome_justice", "NEG", r"\bnfa|no further action|(?:was|been|case) (?:still |then |just )?(?:dropped|closed|filed|nfa)|(?:dropped|closed) the case|was dropped"),
    ("outcome_justice", "NEG", r"caution|community (?:resolution|service)|suspended sentence|not guilty|scot free|walked away"),
    ("outcome_justice", "NEG", r"(?:not|wasn't|weren't|never|decided not to|wouldn't) (?:be )?(?:charged?|charge)|no charge|not to (?:prosecute|proceed)|(?:not|wasn't|isn't|insufficient) (?:enough )?evidence|(?:gave him|just|only) a warning"),
    ("outcome_justice", "NEG", r"(?:was|were) refused|refused (?:the|my|an?) |turned down|only (?:got )?\d+ months|out in \d|released under investigation|acquitted|conditional discharge|(?:no|still no) decision"),
    ("outcome_justice", "POS", r"convict\w*|guilty|sentenced|jailed|in prison|justice was done|\bresult\b|got \d+ (?:years|months)"),
    ("outcome_justice", "POS", r"(?:been|was|were|got) charged|restraining order|protection order|increased on appeal|\d+ years\b|granted|remanded|\bdvpo\b"),
    ("outcome_justice", None, r"\boutcome|charging decision|\bcharged?\b|\bcps\b|sentence\b|reopened"),
    # court: court and being a witness
    ("court", "POS", r"special measures|screens?\b|video link|pre.?trial visit|side entrance|separate room|another building"),
    ("court", "POS", r"showed me round|show(?:ed)? me (?:round|around) the court|behind a screen|read out in court|video recorded|didn't have to (?:go to court|give evidence|attend)"),
    ("court", "NEG", r"adjourn\w*|same (?:waiting room|waiting area|corridor)|cross.?examin\w*|no judge|sat (?:there|in a corridor)|defence barrister|no (?:separate|private) (?:waiting )?(?:room|area)"),
    ("court", "NEG", r"past his family|(?:trial|hearing|court case)(?: date)? (?:was |got |had been |kept being )?(?:moved|cancelled|postponed|put back|delayed|changed)|wasn't called until|nowhere private|sexual history|(?:kept|left) waiting at court"),
    ("court", None, r"\bcourts?\b|\btrial\b|witness (?:care|service)|give evidence|gave evidence|giving evidence|prosecutor|verdict|witness care"),
    # safety: feeling safe, protection, the offender's nearness
    ("safety", "POS", r"no longer (?:feel )?scared|peace of mind|safe again|(?:feel|felt) (?:much |a lot |so |more )?safer|safer"),
    ("safety", "POS", r"safe (?:place|house)|safety plan|alarm|locks|sanctuary|marker on|tecsos|exclusion zone|protected|dvpo"),
    ("safety", "POS", r"bail conditions|(?:restraining|protection|non.?molestation) order|can breathe|walk the dog"),
    ("safety", "NEG", r"(?:not|don't|dont|didn't|never) (?:feel|felt) safe|unsafe|less safe|scared|terrified|afraid|frightened"),
    ("safety", "NEG", r"(?:drives|walks|walk|drive|driving) past|still lives|lives (?:on|two|5|five)|knows where|bumped into|outside the house"),
    ("safety", "NEG", r"breach\w*|prisoner in my own|over my shoulder|(?:he|she|keeps|kept|he's|she's) (?:\w+ )?turn(?:s|ed|ing)? up|come near|five minutes from"),
    ("safety", "NEG", r"(?:still|keeps?|kept) (?:sending|messaging|contacting|texting|following|calling me)|back at my door|left me alone (?:in the house )?with"),
    ("safety", "NEG", r"risk assessment|nothing they could do until|still picks up"),
    ("safety", "POS", r"patrols?\b|escort\w*|felt protected|(?:feel|felt|feeling) safe\b"),
    ("safety", None, r"\bsafe\b|safety|(?:been |was |were |being |be |he's |he'd been )?released\b|out of (?:prison|jail)"),
    # emotional_support: someone to talk to, counselling, advocacy, coping
    ("emotional_support", "POS", r"(?:couldn't|wouldn't|could not|don't know how i'd|not sure i'd|don't think i'd|doubt i'd) (?:still )?(?:have )?(?:coped|got through|be here|cope|done it|managed)"),
    ("emotional_support", "POS", r"(?:someone|somebody) to talk to|kept me going|got me through|strength to|changed my life|my rock"),
    ("emotional_support", "POS", r"godsend|an angel|saved my life|confidence back|check(?:ed|s|ing)? in (?:on|with)|how i was coping|great support|every step|(?:came|come|sat) (?:to court )?with me"),
    ("emotional_support", "POS", r"counselling (?:has |through|helped)|helped (?:me )?(?:to )?(?:cope|get back|start|through|with the flashbacks|deal)"),
    ("emotional_support", "POS", r"(?:support|isva|idva|caseworker|counsellor)(?: worker)? (?:was|has been|were) (?:fantastic|amazing|great|brilliant|a great)"),
    ("emotional_support", "POS", r"support (?:helped|has been)|there whenever|weekly calls|rang every week|helpful just to talk"),
    ("emotional_support", "NEG", r"(?:no|not|wasn't|weren't|without|nobody) (?:any )?(?:offered )?(?:any )?(?:support|aftercare|counselling|follow up)"),
    ("emotional_support", "NEG", r"(?:left|deal with it|cope) (?:to deal with it )?on my own|left alone|completely alone|i had nobody"),
    ("emotional_support", "NEG", r"(?:wait|waiting list) (?:for|to see) (?:a )?(?:counsell|therap|the freedom)|support (?:just )?stopped"),
    ("emotional_support", "NEG", r"only (?:offered|had) (?:\d+|three|six) (?:sessions|calls)|closed my case|discharged|(?:nobody|no one|never) checked on me"),
    ("emotional_support", "NEG", r"struggling|panic attacks|kept cancelling|no interest in me|cared how i was|(?:nobody|no one|not|never) offered (?:me |us )?anything"),
    ("emotional_support", "NEG", r"(?:nobody|no one|noone) to talk to|left to (?:get on|deal|cope)"),
    ("emotional_support", None, r"\bsupport\b|counsell\w+|\bisva\b|\bidva\b|therapy|advocate|helpline"),
    # practical_help: forms, claims, housing, money, repairs, transport
    ("practical_help", "POS", r"(?:helped|help) (?:me |us |him |her )?(?:with|fill|apply|get|sort|register|change|write|to apply)"),
    ("practical_help", "POS", r"\bgrant\b|vouchers|taxi|paid my|fitted|got (?:most of )?my money back|sorted|food|refund\w*|hardship|a lift|clothes|rehoused|moved us|cleaned (?:off|up)"),
    ("practical_help", "NEG", r"(?:nobody|no one|noone) (?:helped|offered)|isn't their role|not something they could help"),
    ("practical_help", "NEG", r"(?:pay|paid) (?:for|to)|claim (?:it )?back|lost \d+ days|couldn't help with|nobody helped"),
    ("practical_help", "NEG", r"took weeks of chasing|told to ring a taxi|sofa surfing|move me"),
    ("practical_help", None, r"compensation|\bcica\b|insurance|insurer|housing|benefits|expenses|repairs?|rent\b|bank"),
    # rights_information: Victims' Code, VPS, restorative justice, review, complaint
    ("rights_information", "NEG", r"never heard of (?:the )?victims|(?:victims'? ?code|restorative justice).{0,40}never arrived"),
    ("rights_information", "NEG", r"(?:didn't|did not) (?:even )?know (?:that was an option|i could|i had|until|there was)|(?:nobody|no one) (?:\w+ ){0,3}(?:told|explained|mentioned)[^|]*(?:could|option|right|available)"),
    ("rights_information", None, r"victims'? ?code|code of practice|personal statement|\bvps\b|restorative|\brj\b|review\b|\bvrr\b"),
    ("rights_information", None, r"\brights?\b|my options|\bcica\b|criminal injuries|could claim|entitled"),
    ("rights_information", None, r"(?<!no )complain|entitle\w*|unduly lenient|clare's law|leaflet|compensation scheme"),
    # handoffs: referrals between services, repeating one's story
    ("handoffs", "NEG", r"(?:tell|told|repeat|explain|start|go over|went over) (?:my story |myself |it all |the whole |the same story |everything )?(?:again|\w+ times|four times)|from the beginning|the same story|\w+ different (?:officers?|people|workers?|numbers)"),
    ("handoffs", "NEG", r"pillar to post|passed (?:from|between|around|on|to another)|handed (?:over|on|between)|fell between|from one person to another|transferred|changed (?:\w+ )?times|nobody replaced"),
    ("handoffs", "NEG", r"no record of|(?:never (?:had|received)|hadn't received|never had the) (?:the |my )?(?:referral|anything)|(?:nobody|no one) knew (?:who|what|anything)|knows nothing about|(?:council|police) matter"),
    ("handoffs", "NEG", r"somewhere else|someone else's job|ring round|list of (?:phone )?numbers|talk(?:ing)? to each other"),
    ("handoffs", "NEG", r"whole referral again|nobody takes ownership|each one said|to reach victim care"),
    ("handoffs", "POS", r"joined.?up|seamless|worked (?:well )?together|only had to (?:tell|explain)|put (?:me |us )?(?:through|in touch)|no gaps|everyone knew what|didn't have to keep (?:explaining|repeating)"),
    ("handoffs", "POS", r"passed my details|linked me|referred me (?:straight|on)|made (?:a|the) referral|talk(?:ed)? to each other"),
    ("handoffs", None, r"referr(?:ed|al)|passed (?:me|my)"),
    # children_family: children and family
    ("children_family", None, r"\bkids?\b|children|\bchild\b|\bson\b|daughter|grandson|granddaughter|teenage|young people"),
    ("children_family", None, r"\d+ ?year ?old|\b(?:boy|girl)\b|\bnan\b|camhs|play therapy|youth service|the school"),
    ("children_family", "NEG", r"(?:son|daughter|child|kids?|year old) to (?:translate|interpret)|(?:nobody|no one) asked (?:how|about) (?:the|my) (?:children|kids)"),
)
# fmt: on

# Words that give a clause its tone, for cues without a polarity.
POSITIVE_WORDS = (
    r"great|good|brilliant|amazing|fantastic|excellent|helpful|helped|kind|lovely|thorough|quick|quickly|clear|"
    r"thank|thanks|grateful|safe|safer|well|supportive|seriously|believed|made sure|arranged|explained|wonderful|"
    r"explain|informed|told about|was told|went through|best|perfect|pleased|glad|relief|relieved|calm|brilliantly|coped|took (?:it|me) seriously|took (?:a |my )?statements?|told me|happy|better|straight away|impressed|organised|"
    r"appreciated?|easy|easier|offered|mattered|meant a lot|difference|worth it|sympathetic|respectful|honest|reassur\w*|"
    r"professional|caring|patient|gentle|gently|understood|sorted"
)
NEGATIVE_WORDS = (
    r"not|never|no|nobody|no one|nothing|none|didn't|wasn't|weren't|don't|can't|couldn't|wouldn't|isn't|poor|bad|"
    r"awful|terrible|horrendous|rubbish|useless|worse|worst|still|slow|rude|waited|waiting|chase|chasing|shame|"
    r"left|scared|joke|dropped|nothing|late|brutal|failed|problem|disappoint\w*|devastated|struggl\w*|pointless|"
    r"without|too|unacceptable|upset|traumatised|moved|changing|kept changing|stopped|nightmare|horrible|"
    r"mortified|let (?:me|us) down|dreadful|appalling|shocking|disgusting|humiliat\w*|misery|cancelled|lost|impossible|"
    r"ignored|wish|sooner|should have|would have (?:liked|been nice)|turned (?:me )?down|refused|rejected|hadn't"
)
