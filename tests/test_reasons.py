"""Stage 6c, decision reasons: codes of the reason scheme read from the rationale, each with the
sentence that states it. The rationales here are written for the test, not taken from the corpus."""

from __future__ import annotations

import re

from conftest import CORPUS
from factories import item_text, letter_text

from kg import parse_text, to_record
from kg.reasons import find_reasons, scheme, sentences

RATIONALE = (
    "The MTUS guidelines recommend physical therapy for up to 10 visits for myalgia. "
    "Passive modalities may be used in the initial phase of care for patients with acute pain. "
    "In this case, the patient has completed 18 sessions of physical therapy to date. "
    "There is no documentation of objective functional improvement with the prior sessions. "
    "The requested 12 additional sessions would exceed the guideline recommendations. "
    "The patient should be able to continue with an independent home exercise program. "
    "Therefore, the request is not medically necessary."
)


def _codes(rationale: str, outcome: str = "Upheld", title: str = "Physical therapy 12 sessions") -> list[str]:
    return [r.code for r in find_reasons(rationale, 0, len(rationale), outcome, title)]


def test_findings_about_this_request_give_reasons_and_guideline_text_does_not():
    assert _codes(RATIONALE) == ["no-functional-improvement", "exceeds-guideline-limits", "home-program-sufficient"]


# Wordings none of the shared letters uses, one or more a code (written for this test): the
# patterns must carry to letters the project has not seen.
UNSEEN_WORDINGS = [
    (
        "no-functional-improvement",
        "Acupuncture x 6",
        "Prior acupuncture did not result in a clinically significant improvement in activities of daily living.",
    ),
    (
        "no-functional-improvement",
        "Norco 10/325mg #90",
        "The medical records do not demonstrate any measurable improvement in function or reduction in pain with the ongoing use of Norco.",
    ),
    (
        "no-functional-improvement",
        "Chiropractic x 8",
        "There has been no documented benefit from the previous chiropractic visits.",
    ),
    (
        "exceeds-guideline-limits",
        "Physical therapy x 12",
        "The request for 12 additional sessions exceeds the 9-10 visits recommended by the guidelines.",
    ),
    (
        "exceeds-guideline-limits",
        "Acupuncture x 12",
        "The requested number of visits is in excess of the guideline recommendation of 3-6 treatments for an initial trial.",
    ),
    ("not-recommended", "TENS unit", "Guidelines do not support the use of TENS as a primary treatment modality."),
    (
        "indications-not-documented",
        "MRI lumbar spine",
        "There are no red flags or progressive neurologic deficits documented on examination to warrant imaging.",
    ),
    (
        "indications-not-documented",
        "Epidural steroid injection",
        "The claimant's radiculopathy has not been corroborated by imaging or electrodiagnostic studies.",
    ),
    (
        "indications-not-documented",
        "EMG/NCV bilateral lower extremities",
        "The physical examination did not reveal focal neurological findings.",
    ),
    (
        "conservative-care-not-tried",
        "Lumbar fusion",
        "There is no evidence that the patient has failed a course of conservative treatment including physical therapy and medications.",
    ),
    (
        "conservative-care-not-tried",
        "Knee arthroscopy",
        "The records do not document an adequate trial of non-operative management.",
    ),
    (
        "long-term-use",
        "Cyclobenzaprine 10mg #60",
        "Muscle relaxants are recommended for short-term use only, and this patient has been taking cyclobenzaprine for several months.",
    ),
    (
        "opioid-monitoring",
        "Oxycodone 10mg #120",
        "There is no documentation of a recent urine drug screen or a signed opioid agreement.",
    ),
    (
        "request-incomplete",
        "Physical therapy",
        "The request does not specify the frequency or duration of the treatment.",
    ),
    (
        "rationale-not-provided",
        "Home health care",
        "The treating physician did not explain why home health services are needed.",
    ),
    ("rationale-not-provided", "Repeat MRI", "No clear rationale for repeating the MRI was provided."),
    (
        "home-program-sufficient",
        "Physical therapy x 6",
        "By now the injured worker should be well versed in a self-directed home exercise program.",
    ),
    (
        "dependent-request",
        "Post-operative physical therapy",
        "Since the requested surgery is not medically necessary, the associated post-operative therapy is also not medically necessary.",
    ),
    (
        "criteria-met",
        "Epidural steroid injection",
        "The guideline criteria for an epidural steroid injection have been satisfied.",
    ),
    (
        "functional-improvement-documented",
        "Physical therapy",
        "The prior sessions resulted in documented objective functional improvement, with increased range of motion and return to work.",
    ),
    (
        "no-functional-improvement",
        "Norco 10/325 #60",
        "No evidence of decreased medication use or improved work status was provided.",
    ),
    ("no-functional-improvement", "Tramadol 50mg", "Despite ongoing use, the patient's pain levels remain unchanged."),
    (
        "exceeds-guideline-limits",
        "Physical therapy x 12",
        "The patient has already completed 24 visits, which surpasses the recommended 10 visits.",
    ),
    ("exceeds-guideline-limits", "Cyclobenzaprine #90", "The requested quantity is more than the guidelines support."),
    (
        "dependent-request",
        "Post-operative DME cold therapy unit",
        "Because the knee arthroscopy was not certified, the post-operative cold therapy unit is not necessary.",
    ),
    (
        "functional-improvement-documented",
        "Tramadol ER",
        "The patient's pain decreased from 8/10 to 4/10 with the medication.",
    ),
    ("functional-improvement-documented", "Norco 10/325", "With the medication the patient is able to work full duty."),
    (
        "functional-improvement-documented",
        "Norco",
        "The patient reports a 50% reduction in pain and improved ability to perform activities of daily living with the medication.",
    ),
    # 0.6.1: of 44 more wordings composed, these 15 were missed; the patterns were widened for them
    (
        "no-functional-improvement",
        "Gabapentin 600mg #90",
        "The records fail to show that gabapentin has produced any objective gains in function.",
    ),
    (
        "no-functional-improvement",
        "Tramadol ER 150mg #30",
        "The patient continues to report pain of 7/10 with no improvement in activities of daily living on tramadol.",
    ),
    (
        "no-functional-improvement",
        "Aquatic therapy x 8",
        "Functional gains from the previous course of aquatic therapy were not documented.",
    ),
    (
        "no-functional-improvement",
        "Lyrica 75mg #60",
        "The provider has not shown that Lyrica reduced the claimant's pain or improved her function.",
    ),
    (
        "exceeds-guideline-limits",
        "Occupational therapy x 12",
        "This request would bring the total number of occupational therapy visits to 24, well above the guideline allowance.",
    ),
    (
        "exceeds-guideline-limits",
        "Massage therapy x 10",
        "Massage is limited to 4-6 visits in most cases, and 10 visits were requested.",
    ),
    (
        "exceeds-guideline-limits",
        "Zolpidem 10mg #30",
        "Zolpidem is intended for use for 7 to 10 days, and a 30-day supply was requested.",
    ),
    (
        "conservative-care-not-tried",
        "Carpal tunnel release",
        "The patient has not yet tried splinting or a corticosteroid injection.",
    ),
    (
        "conservative-care-not-tried",
        "Shoulder arthroscopy",
        "Surgery is premature because a full course of rehabilitation has not been completed.",
    ),
    (
        "long-term-use",
        "Xanax 0.5mg #60",
        "Benzodiazepines are not recommended for long-term use, and the claimant has taken alprazolam for more than six months.",
    ),
    (
        "request-incomplete",
        "Home health care",
        "The request fails to identify the number of hours per week or the duration of care.",
    ),
    (
        "rationale-not-provided",
        "Pain management consultation",
        "The reason for the referral was not stated in the medical records.",
    ),
    (
        "rationale-not-provided",
        "Urine drug screen",
        "The purpose of the requested test was not discussed by the treating physician.",
    ),
    (
        "dependent-request",
        "Pre-operative labs",
        "The primary procedure has not been authorized; therefore, the pre-operative laboratory testing is not needed.",
    ),
    (
        "functional-improvement-documented",
        "Tramadol 50mg #60",
        "With tramadol, the claimant is able to walk for 30 minutes and has returned to modified work.",
    ),
    # and of 31 more, these 14 were missed (release 0.6.1 as well)
    (
        "criteria-met",
        "Lumbar epidural steroid injection L4-5",
        "The patient has radicular pain in an L5 distribution, corroborated by MRI findings of foraminal stenosis, and has failed conservative care; the request is consistent with guideline criteria.",
    ),
    (
        "criteria-met",
        "Cervical MRI",
        "The claimant has a progressive neurologic deficit in the right upper extremity, which warrants imaging.",
    ),
    (
        "criteria-met",
        "Physical therapy x 6",
        "The patient is post-operative and the requested visits fall within the postsurgical treatment guidelines.",
    ),
    (
        "criteria-met",
        "Functional restoration program",
        "The claimant satisfies all of the guideline criteria for admission to a functional restoration program.",
    ),
    (
        "functional-improvement-documented",
        "Physical therapy x 6",
        "Following the initial six sessions, the patient's lifting tolerance increased from 10 to 25 pounds.",
    ),
    (
        "functional-improvement-documented",
        "Norco 10/325 #60",
        "The patient reports that the medication lowers her pain from 9/10 to 5/10 and allows her to do household chores.",
    ),
    (
        "functional-improvement-documented",
        "Acupuncture x 6",
        "The prior acupuncture sessions resulted in a clinically significant improvement in activities of daily living.",
    ),
    (
        "functional-improvement-documented",
        "Chiropractic x 4",
        "After the prior chiropractic visits, the patient's Oswestry score improved from 42% to 28%.",
    ),
    (
        "no-functional-improvement",
        "Norco 10/325 #120",
        "Although the patient reports subjective pain relief, there is no objective evidence of improved function or return to work.",
    ),
    (
        "no-functional-improvement",
        "Lumbar radiofrequency ablation",
        "The prior ablation provided less than 50% relief for less than 12 weeks.",
    ),
    (
        "indications-not-documented",
        "Home health aide",
        "The patient is not homebound and no skilled nursing need has been identified.",
    ),
    (
        "rationale-not-provided",
        "Lab panel",
        "It is unclear what the treating physician hoped to learn from the laboratory studies.",
    ),
    (
        "rationale-not-provided",
        "Second opinion consultation",
        "The treating physician did not provide a reason for the consultation.",
    ),
    (
        "home-program-sufficient",
        "Gym membership",
        "The patient can perform the exercises at home without specialized equipment.",
    ),
    # and of a third round of 34, these 9 (release 0.6.1)
    (
        "not-recommended",
        "Topical ketoprofen cream",
        "Ketoprofen is not FDA approved for topical application.",
    ),
    (
        "no-functional-improvement",
        "Physical therapy x 8",
        "The claimant's range of motion and strength are unchanged after 18 prior sessions.",
    ),
    (
        "no-functional-improvement",
        "Butrans patch",
        "The records show no decrease in the use of other pain medications with the patch.",
    ),
    (
        "conservative-care-not-tried",
        "Lumbar facet radiofrequency ablation",
        "The patient has not participated in a recent course of physical therapy or a home exercise program.",
    ),
    (
        "conservative-care-not-tried",
        "Ketorolac injection",
        "Oral NSAIDs have not been tried first.",
    ),
    (
        "conservative-care-not-tried",
        "Total knee arthroplasty",
        "There is no record that the patient attempted weight loss, bracing, or injections before surgery.",
    ),
    (
        "dependent-request",
        "Post-operative sling",
        "Because the rotator cuff repair was not certified, there is no need for the post-operative sling.",
    ),
    (
        "functional-improvement-documented",
        "Norco 10/325 #90",
        "The patient's pain is reduced by 50% with the medication, and she is working full duty.",
    ),
    (
        "functional-improvement-documented",
        "Physical therapy x 6",
        "The patient has made steady progress with therapy, with improved strength and range of motion.",
    ),
    # and of a fourth round of 30, these (release 0.6.1)
    (
        "indications-not-documented",
        "Bilateral EMG/NCS",
        "The claimant's complaints are limited to axial neck pain without radiation into the arms.",
    ),
    (
        "indications-not-documented",
        "Pantoprazole 40mg #30",
        "This patient is under 65 and is not taking aspirin, steroids or anticoagulants, so he is not at risk for GI events.",
    ),
    (
        "indications-not-documented",
        "Right knee arthroscopy",
        "The patient's MRI shows only degenerative changes, and there is no documented mechanical locking.",
    ),
    (
        "rationale-not-provided",
        "Repeat EMG",
        "The provider has not explained what new information a second study would provide.",
    ),
    (
        "exceeds-guideline-limits",
        "Physical therapy 3x4",
        "The patient has already completed more therapy than the guidelines allow for this condition.",
    ),
    (
        "dependent-request",
        "Post-op cold therapy unit",
        "The patient's shoulder surgery was denied, so the cold therapy unit requested for after surgery is not needed.",
    ),
    (
        "request-incomplete",
        "Massage therapy",
        "The request for this patient does not state the number of sessions.",
    ),
    (
        "conservative-care-not-tried",
        "Lumbar ESI",
        "The patient has not yet had a course of physical therapy for this flare-up.",
    ),
    (
        "conservative-care-not-tried",
        "Cubital tunnel release",
        "The claimant has not had a trial of splinting or activity modification.",
    ),
    (
        "long-term-use",
        "Ativan 1mg #60",
        "The patient has taken Ativan every night for two years.",
    ),
    (
        "long-term-use",
        "Baclofen 10mg #90",
        "This patient has been maintained on baclofen since 2015.",
    ),
    (
        "no-functional-improvement",
        "Norco 10/325 #90",
        "The patient's pain scores are the same with and without the medication.",
    ),
    (
        "no-functional-improvement",
        "Acupuncture x 6",
        "The patient reported only temporary relief after the prior acupuncture visits, with no lasting change in function.",
    ),
    (
        "criteria-met",
        "MRI of the cervical spine",
        "This patient's worsening weakness and numbness in the C6 distribution justify the MRI.",
    ),
    # and of a fifth round of 30, these (release 0.6.1)
    (
        "long-term-use",
        "Tramadol 50mg #120",
        "The injured worker has been on tramadol chronically, well beyond the recommended duration.",
    ),
    (
        "long-term-use",
        "Soma 350mg #90",
        "The claimant has used carisoprodol on an ongoing basis for an extended period.",
    ),
    (
        "not-recommended",
        "Vitamin B12 injections",
        "There is no scientific support for B12 injections for this patient's neuropathy.",
    ),
    (
        "not-recommended",
        "Prolotherapy",
        "Prolotherapy has not been proven effective and is not a recommended treatment for this claimant.",
    ),
    (
        "rationale-not-provided",
        "CT scan",
        "The treating doctor has given no reason for ordering a CT after a recent MRI.",
    ),
    (
        "rationale-not-provided",
        "Durable medical equipment",
        "The records are silent as to why this patient needs the equipment.",
    ),
    (
        "request-incomplete",
        "Medication refill",
        "The prescription submitted for this patient lacks the dosing frequency.",
    ),
    (
        "functional-improvement-documented",
        "Physical therapy x 8",
        "The patient's range of motion has increased by 30 degrees with therapy.",
    ),
    (
        "functional-improvement-documented",
        "Norco 5/325 #60",
        "The claimant states that with Norco he can perform his activities of daily living, which he cannot do without it.",
    ),
    (
        "functional-improvement-documented",
        "Aquatic therapy x 6",
        "After six pool sessions, the patient walks without a cane.",
    ),
    (
        "indications-not-documented",
        "Sleep medication",
        "There is no mention of the patient having trouble sleeping.",
    ),
    (
        "conservative-care-not-tried",
        "Spinal fusion",
        "The claimant has received only two weeks of physical therapy and no injections to date.",
    ),
    (
        "conservative-care-not-tried",
        "Knee arthroscopy",
        "This patient has not been given a trial of NSAIDs or a home exercise program before surgery.",
    ),
    (
        "home-program-sufficient",
        "Physical therapy",
        "The patient has been taught the exercises and should perform them on his own.",
    ),
    # and of a sixth round of 25, these (release 0.6.1)
    (
        "no-functional-improvement",
        "Physical therapy x 6",
        "The patient's function has not improved despite 20 sessions of therapy.",
    ),
    (
        "no-functional-improvement",
        "Tramadol 50mg #60",
        "The claimant's pain levels have stayed at 8/10 on the current regimen.",
    ),
    (
        "indications-not-documented",
        "Carpal tunnel release",
        "The patient's electrodiagnostic study was normal.",
    ),
    (
        "conservative-care-not-tried",
        "Lumbar ESI",
        "The patient has not been referred for physical therapy.",
    ),
    (
        "not-recommended",
        "Flurbiprofen cream",
        "This patient's compound includes cyclobenzaprine, which has no evidence for topical use.",
    ),
    (
        "rationale-not-provided",
        "Follow-up visit",
        "The purpose of this patient's follow-up visit is not clear from the records.",
    ),
    (
        "long-term-use",
        "Norco 10/325 #60",
        "The patient has been on opioids for years.",
    ),
    (
        "dependent-request",
        "Post-op physical therapy x 12",
        "There is no need for post-operative therapy for this patient, as the surgery was not certified.",
    ),
    (
        "functional-improvement-documented",
        "Norco 10/325 #60",
        "The patient reports being able to work full time with the medication.",
    ),
    # 0.7.0: composed for the rules written from the opened quarter of the held-out letters
    (
        "indications-not-documented",
        "EMG/NCS",
        "The clinical findings described do not justify electrodiagnostic testing at this time.",
    ),
    (
        "indications-not-documented",
        "Cervical x-rays",
        "It is unclear what the clinical indication is for repeat cervical radiographs.",
    ),
    ("indications-not-documented", "Knee MRI", "The indication for a second knee MRI is not clear from the notes."),
    (
        "indications-not-documented",
        "Physical therapy 8 sessions",
        "The notes lack documentation of range of motion measurements for the shoulder.",
    ),
    ("long-term-use", "Tramadol 50mg #90", "The physician has not documented a need for long-term use of tramadol."),
    (
        "exceeds-guideline-limits",
        "Acupuncture x 12",
        "No extenuating circumstances were identified that would require an extra 12 visits of acupuncture.",
    ),
    ("no-functional-improvement", "Lumbar ESI", "The patient had a prior epidural injection with no lasting relief."),
    ("no-functional-improvement", "Chiropractic 6 visits", "The outcome of the prior chiropractic visits is unknown."),
    (
        "no-functional-improvement",
        "Aquatic therapy x 8",
        "The results of the previous aquatic therapy sessions were not provided.",
    ),
    (
        "dependent-request",
        "Post-operative cold therapy unit",
        "Since the associated knee arthroscopy was not certified, the cold therapy unit is not necessary.",
    ),
    (
        "dependent-request",
        "Omeprazole 20mg #60",
        "Continued use of naproxen is not supported, and therefore the need for omeprazole is not established.",
    ),
    # 0.7.0, a second round composed for codes across the scheme (33 sentences, 12 missed, 2 still)
    ("no-functional-improvement", "Norco 10/325 #120", "Pain scores remain 8/10 with and without the medication."),
    (
        "no-functional-improvement",
        "Trigger point injections",
        "The prior trigger point injections did not provide at least 50% relief for six weeks.",
    ),
    (
        "exceeds-guideline-limits",
        "Physical therapy x 12",
        "The patient has already attended 24 sessions, well over the 10 visits the guidelines allow.",
    ),
    (
        "not-recommended",
        "Spinal cord stimulator",
        "The guidelines consider this device experimental for axial back pain.",
    ),
    (
        "indications-not-documented",
        "Cervical ESI C5-6",
        "Radicular findings were not corroborated by imaging or electrodiagnostic studies.",
    ),
    (
        "conservative-care-not-tried",
        "Carpal tunnel release",
        "There is no evidence that splinting and injection were tried first.",
    ),
    ("rationale-not-provided", "Psychology consult", "There is no stated reason for the psychological referral."),
    (
        "home-program-sufficient",
        "Physical therapy x 8",
        "The patient has completed therapy and can continue exercising at home.",
    ),
    (
        "criteria-met",
        "Lumbar ESI L4-5",
        "The patient has radiculopathy on exam corroborated by MRI and has failed conservative care, meeting "
        "the guideline criteria.",
    ),
    (
        "functional-improvement-documented",
        "Acupuncture x 6",
        "After the first six visits the patient reported 40% less pain and improved sitting tolerance.",
    ),
    # 0.7.0, a third round (33 sentences, 11 missed, 2 still)
    (
        "no-functional-improvement",
        "Physical therapy x 6",
        "Progress notes from the completed therapy sessions show no measurable gains in strength or range of motion.",
    ),
    (
        "no-functional-improvement",
        "Butrans patch 10mcg",
        "There is no evidence that the patch has allowed the patient to reduce other medications or increase activity.",
    ),
    (
        "no-functional-improvement",
        "Acupuncture x 8",
        "The claimant's work status has not changed despite prior acupuncture.",
    ),
    (
        "exceeds-guideline-limits",
        "Norco 10/325 #180",
        "The requested dose would bring the patient above 120 mg morphine equivalents per day.",
    ),
    (
        "not-recommended",
        "Ultrasound therapy",
        "Therapeutic ultrasound is not supported by high-quality evidence for this condition.",
    ),
    (
        "long-term-use",
        "Ambien 10mg #30",
        "Zolpidem is intended for two to six weeks, and the patient has taken it since 2015.",
    ),
    ("request-incomplete", "DME purchase", "It is not specified whether the unit is for rental or purchase."),
    ("rationale-not-provided", "Repeat MRI lumbar", "The reason for repeating the MRI has not been provided."),
    (
        "dependent-request",
        "Durable medical equipment: walker",
        "Since the knee replacement was not authorized, the walker is not necessary.",
    ),
    # 0.7.0, a fourth round (33 sentences, 12 missed, 5 still)
    (
        "no-functional-improvement",
        "Naproxen 550mg #60",
        "There is no mention of how naproxen has affected the patient's pain or function.",
    ),
    (
        "opioid-monitoring",
        "Norco 10/325 #90",
        "There is no documentation of current pain, average pain, and the duration of relief with the opioid.",
    ),
    ("request-incomplete", "Massage therapy", "The request is for an unspecified number of visits."),
    (
        "dependent-request",
        "Post-op sling",
        "The shoulder surgery was not found medically necessary, so the sling is not needed.",
    ),
    (
        "criteria-met",
        "Lumbar MRI",
        "The patient has progressive weakness and foot drop, which are red flags warranting an MRI.",
    ),
    (
        "functional-improvement-documented",
        "Chiropractic x 6",
        "The prior six visits reduced the Oswestry score from 40 to 22 and he returned to full duty.",
    ),
    (
        "functional-improvement-documented",
        "Tramadol 50mg #90",
        "Tramadol allows him to perform his home exercises and sleep through the night.",
    ),
    # 0.7.0, a fifth round (30 sentences, 10 missed, 4 still)
    (
        "no-functional-improvement",
        "Chiropractic x 8",
        "There is insufficient evidence of a positive response to the chiropractic care already provided.",
    ),
    ("not-recommended", "Opioid genetic testing", "This test is considered investigational by the ODG."),
    (
        "indications-not-documented",
        "Cervical MRI",
        "There is insufficient clinical information to establish a need for repeat imaging.",
    ),
    ("long-term-use", "Soma 350mg #90", "The patient has been on carisoprodol for at least six months."),
    ("rationale-not-provided", "Hip x-ray", "The provider has not documented the reason for the hip imaging."),
    (
        "dependent-request",
        "Fluoroscopic guidance",
        "The epidural injection was not certified, so fluoroscopic guidance is not needed.",
    ),
    # 0.7.0, a sixth round, overturned items and incomplete requests (20 sentences, 5 missed, 0 still)
    (
        "functional-improvement-documented",
        "Physical therapy x 6",
        "The first six sessions improved his shoulder flexion from 90 to 140 degrees.",
    ),
    (
        "functional-improvement-documented",
        "Gabapentin 600mg",
        "Gabapentin has reduced the burning pain by half and improved sleep.",
    ),
    (
        "functional-improvement-documented",
        "Lidoderm patch",
        "The patch has enabled the patient to decrease her oral opioid use.",
    ),
    ("request-incomplete", "Compound cream", "The request is missing the quantity and the frequency of application."),
    ("request-incomplete", "Physical therapy", "No body part was identified in the request."),
    (
        "no-functional-improvement",
        "Physical therapy x 6",
        "Therapy has not improved his shoulder flexion, which stays at 90 degrees.",
    ),
    # 0.7.0, a seventh round in the 2014 letters' template ("Within the medical information available
    # for review, there is documentation of ...": 14 sentences, 4 missed, 1 still)
    (
        "exceeds-guideline-limits",
        "Physical therapy x 12",
        "Furthermore, the proposed number of visits, in addition to the visits already completed, exceeds guidelines.",
    ),
    (
        "criteria-met",
        "Lumbar ESI",
        "Within the medical information available for review, there is documentation of radicular pain, objective "
        "radicular findings, and imaging findings at the requested level.",
    ),
    (
        "functional-improvement-documented",
        "Tramadol 50mg",
        "In addition, there is documentation of functional benefit and an increase in activity tolerance as a "
        "result of use of tramadol.",
    ),
    # 0.7.0, an eighth round, drugs and devices the shared letters barely name (14 sentences, 5 missed, 0 still)
    (
        "not-recommended",
        "Duexis 800/26.6mg",
        "There is no indication for a combination product such as Duexis over its separately available components.",
    ),
    (
        "no-functional-improvement",
        "Cymbalta 60mg",
        "Duloxetine has been used for a year with no documented change in pain or function.",
    ),
    (
        "exceeds-guideline-limits",
        "Butrans 20mcg/hr",
        "The requested strength brings the total daily morphine equivalent dose well above 120 mg.",
    ),
    (
        "rationale-not-provided",
        "Functional capacity evaluation",
        "It is not clear what question the functional capacity evaluation is meant to answer.",
    ),
    (
        "dependent-request",
        "Post-op cold therapy unit",
        "The associated surgery was non-certified; therefore, the cold therapy unit is not medically necessary.",
    ),
    # 0.7.0, a ninth round (12 sentences, 5 missed, 3 still: each reads as the guideline's words)
    (
        "exceeds-guideline-limits",
        "Ambien 10mg #30",
        "A one-month supply exceeds the recommended duration for insomnia treatment.",
    ),
    (
        "no-functional-improvement",
        "Epidural steroid injection",
        "The previous epidural provided less than two weeks of relief.",
    ),
]


OPIOID_SCREEN = "There was no evidence of a recent urine toxicology screen."


def test_wordings_the_shared_letters_do_not_use():
    for code, title, sentence in UNSEEN_WORDINGS:
        outcome = next(r["outcome"] for r in scheme() if r["code"] == code)
        assert code in _codes(sentence, outcome, title), (code, sentence)
    # and their negations' opposites do not turn into the overturn codes
    found = find_reasons(OPIOID_SCREEN, 0, len(OPIOID_SCREEN), "Upheld", "Norco 10/325 #120", "Opioids")
    assert "opioid-monitoring" in [r.code for r in found]
    # a return-to-work criterion of a program is no statement about the treatment's benefit
    assert "no-functional-improvement" not in _codes(
        "There is no indication that the patient had any prior unsuccessful return to work attempts.", title="FRP"
    )
    assert "functional-improvement-documented" not in _codes(
        "There was no significant reduction in pain with the medication.", "Overturned", "Norco"
    )


def test_each_reason_points_at_its_sentence():
    for reason in find_reasons(RATIONALE, 0, len(RATIONALE), "Upheld", "Physical therapy"):
        assert RATIONALE[reason.span.start : reason.span.end] == reason.text
    (first, *_) = find_reasons(RATIONALE, 0, len(RATIONALE), "Upheld", "Physical therapy")
    assert first.text.startswith("There is no documentation of objective functional improvement")


def test_overturned_items_get_only_overturn_reasons():
    rationale = (
        "The patient has documented radicular findings on examination and corroborating imaging. "
        "The guideline criteria are met, and the request is medically necessary."
    )
    assert _codes(rationale, "Overturned", "Epidural steroid injection") == ["criteria-met"]
    assert "criteria-met" not in _codes(rationale, "Upheld", "Epidural steroid injection")


def test_a_request_that_depends_on_a_denied_one():
    rationale = (
        "As the requested surgical procedure is not medically necessary, the associated post-operative "
        "cold therapy unit is also not medically necessary."
    )
    assert _codes(rationale, title="Associated surgical service: cold therapy unit") == ["dependent-request"]


def test_opioid_monitoring_only_where_an_opioid_is_discussed():
    rationale = "There is no urine drug screen documented for this patient on chronic opioid therapy."
    assert "opioid-monitoring" in _codes(rationale, title="Norco 10/325mg #60")
    assert "opioid-monitoring" not in _codes("There is no urine drug screen documented.", title="MRI")


def test_an_opioid_item_needs_no_opioid_word_in_its_rationale():
    """An item the classification places among the opioids (a brand no pattern lists) gets the
    opioid monitoring code from its rationale alone."""
    rationale = "There is no urine drug screen documented, and no signed pain agreement."
    letter = parse_text(letter_text(item_text(title="Kadian 20mg #60", rationale=rationale)))
    (item,) = letter.items
    assert item.treatment.drug_class == "Opioids"
    assert "opioid-monitoring" in {r.code for r in item.reasons}
    assert "opioid-monitoring" not in {
        r.code for r in find_reasons(letter.text, item.rationale_span.start, item.rationale_span.end, "Upheld")
    }


def test_sentences_keep_abbreviations_and_give_spans_in_the_letter():
    text = "Header. The patient saw Dr. Smith on 1/2/2016 (i.e. last year).\nNo red flags\nwere noted. End"
    start = text.index("The")
    found = sentences(text, start, len(text))
    assert [s for s, _ in found] == [
        "The patient saw Dr. Smith on 1/2/2016 (i.e. last year).",
        "No red flags were noted.",
        "End",
    ]
    for sentence, span in found:
        assert " ".join(text[span.start : span.end].split()) == sentence


def test_records_carry_reasons_with_spans_into_the_letter():
    letter = parse_text(letter_text(item_text(rationale=RATIONALE)), "f.txt")
    (item,) = to_record(letter)["items"]
    assert [r["code"] for r in item["reasons"]] == [
        "no-functional-improvement",
        "exceeds-guideline-limits",
        "home-program-sufficient",
    ]
    for r in item["reasons"]:
        assert " ".join(letter.text[r["span"][0] : r["span"][1]].split()) == r["text"]


def test_the_scheme_has_the_thirteen_codes_of_the_item_labels():
    codes = {r["code"]: r["outcome"] for r in scheme()}
    assert len(codes) == 13
    assert sum(o == "Upheld" for o in codes.values()) == 11 and codes["criteria-met"] == "Overturned"


def test_the_sentence_model_scores_and_points_at_its_sentence():
    from kg import reason_model
    from kg.models import Span

    finding = "There is no documentation that the patient failed a course of conservative treatment."
    other = "The patient is a 45 year old male."
    p = reason_model.probabilities(finding, ["conservative-care-not-tried", "home-program-sufficient"])
    assert 0 < p["home-program-sufficient"] < p["conservative-care-not-tried"] < 1
    picked = reason_model.confident([(other, Span(0, 1)), (finding, Span(2, 3))], ["conservative-care-not-tried"])
    assert picked == {"conservative-care-not-tried": (finding, Span(2, 3))}


def test_the_model_scores_sentences_as_tf_idf_times_the_weights_would():
    """The scoring of a sentence gives it the logit of the formula (sublinear tf x idf, L2 norm
    over every known term, weights, intercept), computed here from the model file's numbers."""
    import math

    from kg import reason_model
    from kg.vocab import load_json

    model = load_json("reason_model.json")
    batch = [
        "There is no documentation that the patient failed a course of conservative treatment.",
        "The request exceeds the guideline's recommended number of sessions: 12 sessions, 12 sessions.",
        "zzz qqq",  # no known term: the intercepts
        "Urine drug screens and a pain agreement are not documented for the opioid.",
    ]
    for sentence, row in zip(batch, map(reason_model._row, batch), strict=True):
        x = {
            t: (1 + math.log(c)) * model["idf"][t]
            for t, c in reason_model.features(sentence).items()
            if t in model["idf"]
        }
        norm = math.sqrt(sum(v * v for v in x.values())) or 1.0
        for k, code in enumerate(model["codes"]):
            weights = model["codes"][code]
            expected = weights["intercept"] + sum(weights["weights"].get(t, 0.0) * v / norm for t, v in x.items())
            assert math.isclose(row[k], expected, abs_tol=1e-9), (sentence, code)


def test_the_committed_model_says_how_it_was_measured():
    from kg.vocab import load_json

    model = load_json("reason_model.json")
    assert 0.5 < model["threshold"] < 1 and model["cross_validated_f1"] > 0.75 and model["ngrams"] == [1, 2]


def test_shared_word_boundary_alternation_finds_what_the_plain_join_finds():
    """kg.patterns.alternation puts runs of ``\\b`` alternatives behind one ``\\b`` for speed; every
    search must give the same span as the plain ``|``-join (the negation cue's end is used)."""

    from kg.patterns import _alternatives, alternation

    patterns = [
        r"(?:\bno\b|\bnot\b|n't\b|\black(?:s|ing)?\b|\bfail(?:s|ed)? to\b)",
        r"[|(]x\b",
        r"\bpurchase is not (?:supported|indicated)",
        r"(?<!no )(?:functional improvement)",
        r"^(?:therefore|thus)\b|\bmedically necessary\W*$",
    ]
    assert _alternatives(patterns[0])[:3] == [r"\bno\b", r"\bnot\b", r"n't\b"]
    assert _alternatives(r"(?:a)(?:b|c)") == [r"(?:a)(?:b|c)"]  # a group that does not wrap it all
    plain, shared = re.compile("|".join(f"(?:{p})" for p in patterns)), alternation(patterns)
    assert shared.pattern.count(r"\b(?:") >= 2
    sentences = [
        "the patient did not fail to improve",
        "there was a lack of functional improvement",
        "no functional improvement, (x noted; purchase is not supported",
        "therefore, the request is medically necessary.",
        "it isn't documented",
        "nothing here",
    ]
    for s in sentences:
        for start in range(0, len(s), 5):
            a, b = plain.search(s, start), shared.search(s, start)
            assert (a and a.span()) == (b and b.span()), (s, start)


def test_one_literal_scan_finds_every_keyword_a_substring_search_finds():
    """kg.patterns.LiteralIndex finds every keyword occurrence, overlapping ones and those inside
    longer words too, with where each negated keyword begins."""
    from kg.patterns import LiteralIndex

    words = ["post", "posterior", "pre", "red", "red flag", "flag", "end", "ending", "effic", "4 a", "hep"]
    index = LiteralIndex()
    for i, w in enumerate(words):
        index.keyword(w, 1 << i, 1 << i if i % 2 else 0)
    index.build()
    texts = [
        "postoperative red flags were absent, ending the trial; no efficacy",
        "the hep (home exercise) preceded the posterior approach; 4 a's not documented",
        "",
        "nothing of note",
    ]
    for text in texts:
        keywords, gates, negated = index.scan(text)
        assert gates == 0
        assert keywords == sum(1 << i for i, w in enumerate(words) if w in text), text
        expected = sorted(
            (j, 1 << i) for i, w in enumerate(words) if i % 2 for j in range(len(text)) if text.startswith(w, j)
        )
        assert sorted(negated) == expected, text


def test_reason_keyword_masks_agree_with_the_keywords_of_each_code():
    """A code's bit is set for a sentence exactly when one of its keywords is in it, and its
    negated bit when one of its negated keywords begins after a position."""
    from kg.reasons import _scheme
    from kg.vocab import load_json

    reasons, literals = load_json("reasons.json")["reasons"], _scheme().literals
    sentence = "no documentation of objective functional improvement from the prior home exercise program"
    keywords, _, after = literals.scan(sentence)
    negated = 0
    for start, mask in after:
        negated |= mask if start >= 10 else 0
    for i, r in enumerate(reasons):
        assert bool(keywords & 1 << i) == any(w in sentence for w in r.get("keywords", ())), r["code"]
        expected = any(w in sentence[10:] for w in r.get("negated_keywords", ()))
        assert bool(negated & 1 << i) == expected, r["code"]


def test_required_literals_are_in_every_match():
    """kg.patterns.required_literals: every match holds one of the literals; no set where one
    cannot be told (a class, an optional part, flags)."""
    from kg.patterns import required_literals

    assert required_literals(r"(?:does|do|did) not meet (?:the |any )?(?:\w+ )?criteria") == {" not meet "}
    assert required_literals(r"\bno (?:evidence|indication) of\b[^.]{0,60}\bred flags?") == {"red flag"}
    assert required_literals(r"(?:\bno\b|\bnot\b|n't\b|\black(?:s|ing)?\b)") == {"no", "not", "n't", "lack"}
    assert required_literals(r"x+") == {"x"}
    for none in (r"[abc]", r"(?:abc)?", r"(?i)abc", r"\w+", r"a|[bc]", r"(?i:abc)"):
        assert required_literals(none) is None, none
    pattern, texts = r"\b(?:is|are) not (?:medically )?indicated(?: at this time)?\W*$", ["it is not indicated."]
    for t in texts:
        assert re.search(pattern, t) and any(lit in t for lit in required_literals(pattern))


def test_gated_patterns_answer_as_the_whole_pattern_on_every_sentence():
    """Each reason pattern searched as its gated alternatives says what the whole pattern says,
    on the composed wordings and, where CI has them, every rationale sentence of the shared letters."""
    from kg.reasons import _scheme, sentences

    s = _scheme()
    patterns = [s.negation, s.generic, s.about_case, s.conclusion, s.connector]
    for c in s.codes:
        patterns += [p for p in (c.pattern, c.negated, c.in_guideline_text, c.unless) if p is not None]
    texts = [w[-1].lower() for w in UNSEEN_WORDINGS]
    for path in sorted((CORPUS / "found").glob("*.txt"))[:60]:
        letter = parse_text(path.read_text(), path.name)
        for item in letter.items:
            texts += [t.lower() for t, _ in sentences(letter.text, item.rationale_span.start, item.rationale_span.end)]
    assert len(texts) > 20
    for text in texts:
        _, gates, _ = s.literals.scan(text)
        for p in patterns:
            for pos in (0, len(text) // 2):
                assert p.search(text, gates, pos) == bool(p.whole.search(text, pos)), (p.whole.pattern[:80], text)


def test_long_sentences_are_read_alike_but_not_remembered():
    """The memos of readings and model scores (kg.memo) keep only sentences of at most
    LONGEST_CACHED_SENTENCE characters, so hostile letters cannot grow them past a few tens of
    MB; a longer sentence gives the same reasons, read afresh."""
    from kg import memo, reason_model, reasons

    memo.clear_all()
    finding = "There is no documentation of objective functional improvement with the prior sessions"
    long = finding + ", " + ", ".join(["and the patient reports ongoing pain"] * 60) + "."
    assert len(long) > memo.LONGEST_CACHED_SENTENCE
    assert "no-functional-improvement" in _codes(long)
    assert reasons._reading.size() == 0
    assert reason_model._row.size() == 0
    assert "no-functional-improvement" in _codes(finding + ".")
    assert reasons._reading.size() == 1


def test_gated_patterns_answer_as_the_whole_pattern_on_composed_text():
    """The same on texts composed of the patterns' own literals and keywords, joined by spaces or
    punctuation: where a gate could wrongly close, it is most likely to show."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kg.reasons import _scheme

    s = _scheme()
    patterns = [s.negation, s.generic, s.about_case, s.conclusion, s.connector]
    for c in s.codes:
        patterns += [p for p in (c.pattern, c.negated, c.in_guideline_text, c.unless) if p is not None]
    words = sorted(s.literals.words) + ["the", "patient", "request", "medically", "necessary", "of", "is", "was"]

    @settings(max_examples=800, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(words), st.sampled_from([" ", ", ", ". ", " - ", ""])), max_size=30))
    def check(parts):
        text = "".join(w + sep for w, sep in parts).strip()
        _, gates, _ = s.literals.scan(text)
        for p in patterns:
            assert p.search(text, gates) == bool(p.whole.search(text)), (p.whole.pattern[:80], text)

    check()


# Sentences that must not give a code (written for this test): the widened patterns must not read
# a statement that treatment worked, was tried, was specified or explained as its opposite.
NOT_THESE = [
    (
        "Upheld",
        "Physical therapy x 6",
        "The patient is working full duty and reports that therapy helped.",
        "no-functional-improvement",
    ),
    ("Upheld", "Lumbar MRI", "The patient has had low back pain for more than six months.", "long-term-use"),
    (
        "Upheld",
        "Knee arthroscopy",
        "The patient has tried physical therapy, injections and bracing without relief.",
        "conservative-care-not-tried",
    ),
    (
        "Upheld",
        "Acupuncture x 6",
        "The request specifies six visits over three weeks for the lumbar spine.",
        "request-incomplete",
    ),
    (
        "Upheld",
        "Home health",
        "The treating physician explained why home health services are needed after the surgery.",
        "rationale-not-provided",
    ),
    (
        "Upheld",
        "TENS unit",
        "The patient uses the TENS unit daily as part of a home exercise program.",
        "not-recommended",
    ),
    (
        "Upheld",
        "Gabapentin 600mg #90",
        "The patient reports a 50% reduction in pain with gabapentin.",
        "no-functional-improvement",
    ),
    (
        "Overturned",
        "Norco 10/325 #60",
        "The patient reports no improvement in function with Norco.",
        "functional-improvement-documented",
    ),
    (
        "Overturned",
        "Physical therapy x 6",
        "The patient is unable to walk without a cane.",
        "functional-improvement-documented",
    ),
    ("Overturned", "Physical therapy x 6", "The patient is not working.", "functional-improvement-documented"),
    (
        "Upheld",
        "Shoulder surgery",
        "The surgery was approved, so the post-operative sling is also needed.",
        "dependent-request",
    ),
    (
        "Upheld",
        "Cyclobenzaprine #60",
        "The patient has used cyclobenzaprine only intermittently for flare-ups.",
        "long-term-use",
    ),
    (
        "Upheld",
        "Lumbar ESI",
        "The physical examination shows positive straight leg raise and decreased sensation in the L5 dermatome.",
        "indications-not-documented",
    ),
    (
        "Upheld",
        "Lumbar ESI",
        "The examination shows absent ankle reflexes and decreased sensation at L5.",
        "indications-not-documented",
    ),
    (
        "Upheld",
        "Physical therapy",
        "The patient completed therapy with significant improvement in strength.",
        "no-functional-improvement",
    ),
    (
        "Upheld",
        "Lumbar fusion",
        "As the related imaging was not provided, the surgery cannot be supported.",
        "dependent-request",
    ),
    # 0.7.0's second round of wordings, turned around
    (
        "Upheld",
        "Lumbar ESI",
        "The patient obtained 60% relief for eight weeks after the prior injection.",
        "no-functional-improvement",
    ),
    (
        "Upheld",
        "Physical therapy x 6",
        "The patient has attended 4 sessions, well within the 10 visits the guidelines allow.",
        "exceeds-guideline-limits",
    ),
    (
        "Upheld",
        "Lumbar fusion",
        "Physical therapy, injections and bracing have been tried and have failed.",
        "conservative-care-not-tried",
    ),
    (
        "Upheld",
        "Psychology consult",
        "The stated reason for the referral is depression after the injury.",
        "rationale-not-provided",
    ),
    # the model weighs words: a code stating an absence needs a negation cue
    (
        "Upheld",
        "Lumbar MRI",
        "The examination shows objective evidence of nerve root compromise at L5.",
        "indications-not-documented",
    ),
    (
        "Upheld",
        "Physical therapy x 6",
        "The patient made measurable gains in strength with therapy.",
        "no-functional-improvement",
    ),
    (
        "Upheld",
        "Chiropractic treatment",
        "The request specifies six visits for the lumbar spine.",
        "request-incomplete",
    ),
    (
        "Overturned",
        "Norco 10/325 #60",
        "The patient has not returned to work since the injury.",
        "functional-improvement-documented",
    ),
    (
        "Overturned",
        "Norco 10/325 #60",
        "The medication does not allow him to work or sleep.",
        "functional-improvement-documented",
    ),
    (
        "Upheld",
        "Chiropractic x 8",
        "There is insufficient evidence of a positive response to the chiropractic care already provided.",
        "not-recommended",
    ),
    (
        "Upheld",
        "Physical therapy x 6",
        "The submitted documentation established objective functional improvement from the prior therapy.",
        "no-functional-improvement",
    ),
    (
        "Upheld",
        "Hip x-ray",
        "The provider documented the reason for the hip imaging: a fall with new pain.",
        "rationale-not-provided",
    ),
    (
        "Overturned",
        "Lidoderm patch",
        "The medication has not enabled him to reduce his opioid use.",
        "functional-improvement-documented",
    ),
    (
        "Upheld",
        "Physical therapy",
        "The request includes the quantity, frequency and body part.",
        "request-incomplete",
    ),
    # care that was tried: the negation is of the improvement ("unless" stops negated terms too)
    (
        "Upheld",
        "Lumbar MRI",
        "Symptoms have not improved despite conservative care.",
        "conservative-care-not-tried",
    ),
    # 0.7.0, 20 statements of the opposite across the scheme: these three were read before
    (
        "Upheld",
        "Physical therapy x 12",
        "The patient has not yet been taught a home exercise program.",
        "home-program-sufficient",
    ),
    ("Overturned", "Lumbar MRI", "The patient does not meet the criteria for an MRI.", "criteria-met"),
    (
        "Upheld",
        "Ketoprofen cream",
        "The physician has explained the rationale for the topical agent.",
        "rationale-not-provided",
    ),
    (
        "Overturned",
        "Tramadol 50mg",
        "There is little evidence of functional benefit from tramadol.",
        "functional-improvement-documented",
    ),
    ("Overturned", "Lumbar ESI", "There is no documentation of radicular findings.", "criteria-met"),
    (
        "Overturned",
        "Tramadol 50mg",
        "Without evidence of functional improvement, continued use is not supported.",
        "criteria-met",
    ),
    # the guideline's schedules, quoted without naming it
    (
        "Overturned",
        "Acupuncture x 6",
        "Frequency and duration may be as follows: time to produce functional improvement: 3 to 6 treatments.",
        "functional-improvement-documented",
    ),
    (
        "Upheld",
        "Physical therapy x 12",
        "Allow for fading of treatment frequency, plus active self-directed home therapy.",
        "home-program-sufficient",
    ),
]


def test_statements_of_the_opposite_give_no_code():
    for outcome, title, sentence, code in NOT_THESE:
        assert code not in _codes(sentence, outcome, title), (code, sentence)


def test_a_negation_reaches_only_its_own_clause():
    # a cue inside a parenthesis does not deny what the sentence says after it closes
    aside = (
        "Passive modalities (treatments that do not require effort on the part of the patient) are beneficial "
        "for controlling swelling in the early phase of care."
    )
    assert "no-functional-improvement" not in _codes(aside)
    # a cue before a semicolon does not reach the next clause ...
    assert "no-functional-improvement" not in _codes(
        "The patient did not attend the last visit; functional improvement was noted after the first six sessions."
    )
    # ... but a cue after it does, and so does a parenthesis the cue does not sit in
    assert "no-functional-improvement" in _codes(
        "The patient returned for follow-up; there is no evidence of functional improvement from therapy."
    )
    assert "no-functional-improvement" in _codes(
        "There is no note (of the six visits so far) of any functional improvement from therapy."
    )


def test_a_sentence_the_guideline_speaks_is_no_finding_unless_it_names_this_case():
    speaks = [
        "The ACOEM Guidelines recommend reserving MRI for those with clear examination findings when the "
        "symptoms do not respond to conservative management for a month.",
        "Additionally, per the ACOEM Guidelines, physical modalities such as heat and ultrasound have no proven "
        "efficacy in treating acute low back symptoms.",
        "Regarding therapy, the ODG states that when the number of visits exceeds the guideline, exceptional "
        "factors should be noted.",
        "The 2016 MTUS guidelines cite the ODG: allow for fading of treatment frequency plus active self-directed "
        "home therapy.",
    ]
    for sentence in speaks:
        assert _codes(sentence, title="Lumbar MRI") == [], sentence
    assert "conservative-care-not-tried" in _codes(
        "Per the ODG, the patient has not had a trial of conservative care before this request.", title="Lumbar MRI"
    )


def test_a_limit_on_duration_is_not_a_treatment_the_guideline_rejects():
    assert "not-recommended" not in _codes(
        "Muscle relaxants are not recommended for longer than 2-3 weeks.", title="Tizanidine 4mg #60"
    )
    assert "not-recommended" in _codes("Tizanidine is not recommended for this patient.", title="Tizanidine 4mg #60")


def test_the_model_adds_a_code_of_absence_only_from_a_sentence_with_a_negation():
    from kg.reasons import model_may_add

    shown = "The examination shows objective evidence of nerve root compromise at L5."
    assert not model_may_add("indications-not-documented", shown, "Upheld")
    assert model_may_add("indications-not-documented", "There is no nerve root compromise on examination.", "Upheld")
    # a code that is not an absence needs none
    assert model_may_add("exceeds-guideline-limits", "Twelve visits were requested after twelve completed.", "Upheld")


def test_the_model_does_not_add_back_a_code_the_patterns_let_yield():
    from kg.reasons import model_may_add

    home = "There was no clear rationale for more supervised therapy over the patient's home exercise program."
    assert _codes(home) == ["home-program-sufficient"]
    assert not model_may_add("rationale-not-provided", home, "Upheld")
    # the catch-all code may be added beside a specific one: the model was right to more often than not
    tried = "There was no documentation of neuropathic pain or of a failed trial of antidepressants."
    assert model_may_add("indications-not-documented", tried, "Upheld")


def test_a_drug_is_named_by_its_generic_name_as_by_its_title():
    # guideline-worded, so a finding only when it names the request: "Soma" is carisoprodol
    sentence = "Carisoprodol is not indicated for long-term use and is not recommended by the MTUS."
    title = "Soma 350mg #60"
    assert "not-recommended" not in _codes(sentence, title=title)
    found = find_reasons(sentence, 0, len(sentence), "Upheld", title, "Muscle Relaxants", ("carisoprodol",))
    assert [r.code for r in found] == ["not-recommended"]
    # the parser passes the item's ingredients
    letter = parse_text(letter_text(item_text(title=title, rationale=sentence)), "f.txt")
    (item,) = letter.items
    assert "carisoprodol" in item.treatment.ingredients
    assert "not-recommended" in [r.code for r in item.reasons]


def test_a_conclusion_gives_only_its_own_codes_but_a_reason_before_therefore_counts():
    from kg.reasons import model_may_add

    verdict = "Therefore, the request is not supported at this time."
    assert not model_may_add("not-recommended", verdict, "Upheld")
    assert model_may_add("dependent-request", verdict, "Upheld")
    # a reason given before "therefore" is read, and so is a finding that opens with "as such"
    assert "exceeds-guideline-limits" in _codes(
        "No extenuating circumstances would require an extra 12 visits of therapy, therefore this request is "
        "not medically necessary."
    )
    assert "indications-not-documented" in _codes(
        "As such, the medical records do not support MRI of the knee.", title="Knee MRI"
    )


def test_a_diagnostic_test_has_no_benefit_of_its_own_to_document():
    sentence = "The injured worker was previously treated with physical therapy but without improvement."
    found = find_reasons(sentence, 0, len(sentence), "Upheld", "Lumbar MRI", category="Diagnostic Testing")
    assert "no-functional-improvement" not in [r.code for r in found]
    found = find_reasons(sentence, 0, len(sentence), "Upheld", "Physical therapy x 6", category="Rehabilitation")
    assert "no-functional-improvement" in [r.code for r in found]


def test_guideline_words_stay_the_guideline_s():
    for sentence in (
        "When treatment duration and/or number of visits exceeds the guideline, exceptional factors should be noted.",
        'Regarding therapy, ODG states "Patients should be assessed after a six-visit trial to see if the patient '
        'is moving in a positive direction."',
        "The guidelines recommend specific criteria for a hospital bed, which include the specific medical "
        "rationale for the bed, e.g. positioning or inability to transfer.",
        'These guidelines further stipulate that the "addition of cyclobenzaprine to other agents is not recommended."',
    ):
        assert _codes(sentence, title="Physical therapy x 12") == [], sentence
    compound = (
        "Given that the guidelines state that any compounded product that contains a drug that is not recommended "
        "is not recommended, the request for the cream is not medically necessary."
    )
    assert "dependent-request" not in _codes(compound, title="Ketoprofen/lidocaine cream")


def test_the_model_does_not_add_a_code_where_its_unless_rules_it_out():
    from kg.reasons import model_may_add

    sentence = "The objective findings provided do not provide a clear rationale for this study."
    assert not model_may_add("rationale-not-provided", sentence, "Upheld")
    assert "indications-not-documented" in _codes(sentence, title="EMG/NCV")


def test_etc_ends_a_sentence_before_a_capital():
    text = "It includes positioning, pressure wounds, etc. These criteria are not met."
    assert [t for t, _ in sentences(text, 0, len(text))] == [
        "It includes positioning, pressure wounds, etc.",
        "These criteria are not met.",
    ]
