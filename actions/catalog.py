"""Product discovery: search results as cards, comparisons, and which products a message refers to
(prices: actions/price.py)."""
from __future__ import annotations

import functools
import re

from typing import Any, Dict, List, Optional, Tuple, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.advice import advise_by_use
from actions.budget import budget_cap, remember_budget, shown_within_budget
from actions.cart_add import add_the_one_picked
from actions.common import entity_values, first_entity, latest_text, leaving_form
from actions.mentions import (asked_thing, asked_thing_missing, kin_by_word, mentioned, named_products, qualifiers,
                              requested_kinds, typed_kind)
from actions.history import one_more_after_add, shown_before, shown_skus
from actions.quotes import names_something
from actions.swap import swap_in_cart
from lift.commerce.brands import carried_instead, in_our_words
from lift.commerce.cards import cards_message
from lift.commerce.cart import normalize_cart
from lift.commerce.matching import content_tokens, typed_content_words
from lift.commerce.compare import (MAX_COMPARED, asks_to_compare, at_price_end, best_by, comparison_text,
                                   price_difference, products_compared, which_is, winner)
from lift.commerce.stock import in_stock_substitutes, live_all
from lift.commerce.products import asks_about_stock, stock_answer
from lift.commerce.returns import faulty_item_policy, reports_faulty_item
from lift.commerce.words import plural
from lift.understanding.prices import cap_spans
from lift.understanding.references import (SET, Resolution, Shown, names_a_position, parse_cart_change, without_places,
                                           resolve_reference, says_both, says_other, compares_price)

MAX_CARDS = 4


# A longer request is not repeated back word for word.
MAX_NAMED_WORDS = 3


def corrects_quantity(tracker: Tracker) -> bool:
    """"sorry, only 1 piece needed", "actually only 2, my mum doesnt need one" with a cart and no
    product named: a new quantity for the cart (action_remove_from_cart sets it), whatever the intent."""
    return bool(tracker.get_slot("cart")) and not entity_values(tracker, "product") \
        and not entity_values(tracker, "category") and parse_cart_change(latest_text(tracker)).op == SET


def _some_of_each(kinds: List[Tuple[Text, List[Any]]], cap, catalog) -> Tuple[List[Any], Text]:
    """(cards, intro) for two or more kinds asked for at once: in-stock ones first, as many of each as
    fit, only those within ``cap`` when there is one; a kind with none within it is said so."""
    per = max(1, MAX_CARDS // len(kinds))
    within = [(typed, [p for p in kind if cap is None or p.price <= cap]) for typed, kind in kinds]
    shown = [p for _, kind in within for p in sorted(kind, key=lambda p: not p.in_stock)[:per]]
    have = " and ".join(plural(typed) for typed, kind in within if kind)
    if cap is None:
        return shown, f"Here are our {have}:"
    price = catalog.format_price(cap)
    if not shown:  # none of them: the cheapest of each
        return [min(kind, key=lambda p: p.price) for _, kind in kinds], f"Nothing there costs {price} or less; the lowest prices are:"
    lacking = " or ".join(plural(typed) for typed, kind in within if not kind)
    return shown, (f"No {lacking} cost {price} or less. " if lacking else "") + f"Here are our {have} for {price} or less:"


class ActionShowProducts(Action):
    def name(self) -> Text:
        return "action_show_products"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        within = (add_the_one_picked(dispatcher, tracker, resources.get().catalog)  # "Which one?" -> "Clarity 27-inch 4K Monitor"
                  or shown_within_budget(dispatcher, tracker, resources.get().catalog))  # "which ones r under my budget"
        events = within if within is not None else await self._show(dispatcher, tracker) + remember_budget(tracker)
        return events + leaving_form(tracker, events)  # "I said forget it. show me smart plugs": the form ends

    async def _show(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        compared = compare_if_asked(dispatcher, tracker)
        if compared is not None:
            return compared
        if corrects_quantity(tracker):
            return [FollowupAction("action_remove_from_cart")]  # "sorry, only 1 piece needed" after an add
        swapped = swap_in_cart(dispatcher, tracker)  # "trade the speakers for the Aria Pro cans"
        if swapped is not None:
            return swapped
        if one_more_after_add(tracker):
            return [FollowupAction("action_add_to_cart")]  # "also a 65w charger" right after an add
        if reports_faulty_item(latest_text(tracker)):  # "ordered headphones got a toaster lol": no toaster card
            dispatcher.utter_message(text=f"Sorry about that. {faulty_item_policy()}",
                                     buttons=[{"title": "Talk to a person", "payload": "/contact_human_agent"},
                                              {"title": "Track my order", "payload": "/track_order"}])
            return []
        res = resources.get()
        catalog = res.catalog
        products, category = mentioned(tracker, catalog)
        if not products and category is None and first_entity(tracker, "order_id"):
            return [FollowupAction("action_handle_order")]  # "whats in LFT100002": an order, not a product
        text = latest_text(tracker)
        if not products and category is None and not entity_values(tracker, "product") and not text.startswith("/"):
            # "show me the second one": among the cards just shown (_mentioned has already run)
            resolution = resolve_reference(text, shown_products(tracker, catalog))
            if resolution.question:
                dispatcher.utter_message(text=resolution.question,
                                         buttons=choice_buttons(resolution, catalog, "search_product"))
                return []
            products = [p for p in (catalog.get(s) for s in resolution.skus) if p is not None]
        kinds = requested_kinds(tracker, catalog)  # each kind asked for apart ("tablet or smartwatch")
        if products:
            # "whats a good tablet or smartwatch" (a category and a product named apart): some of each,
            # within the limit ("a drone or a camera under 300": the $249 and $89 cameras, not the $1,199 one)
            cap = budget_cap(tracker, text)  # "noise cancelling headphones under 200": the Aria Pro is $249
            products += [p for _, kind in kinds for p in [k for k in kind if cap is None or k.price <= cap][:2]
                         if p not in products]
            shown = products[:MAX_CARDS]
            intro = "Here it is:" if len(shown) == 1 else "Here's what I found:"
            if cap is not None and all(p.price > cap for p in shown):
                intro = (f"That costs more than {catalog.format_price(cap)}:" if len(shown) == 1 else
                         f"None of these costs {catalog.format_price(cap)} or less:")
            elif cap is not None:
                shown = [p for p in shown if p.price <= cap]
            if len(shown) == 1 and asks_about_stock(text):  # "do u have the pulse sport earbuds in stock"
                shown = live_all(resources.get().engine, shown)
                intro = stock_answer(shown[0])
                if not shown[0].in_stock:
                    others = in_stock_substitutes(resources.get().engine, catalog, shown[0].sku, limit=MAX_CARDS - 1)
                    intro += " These do the same job and are in stock:" if others else ""
                    shown += others
        elif category is not None and len(kinds) > 1:
            # "whats a good tablet or smartwatch", "phones or tablets under 400": some of each (within the limit)
            shown, intro = _some_of_each(kinds[:MAX_CARDS], budget_cap(tracker, text), catalog)
        elif category is not None:  # "show me laptops": the laptops, not every computer
            typed, kind, narrowed = typed_kind(tracker, catalog, category)
            intro = f"Here are our {plural(typed)}:" if narrowed else f"Here are some {category.name.lower()} picks:"
            cap = budget_cap(tracker, text)  # "laptops under 1000"
            missing = [w for w in catalog.missing_from(without_spans(text, cap_spans(text)), kind)
                       if w in qualifiers(tracker, text)]
            if 0 < len(missing) <= MAX_NAMED_WORDS:  # "samsung galaxy phones": say so, then show what we do carry
                what = plural(typed) if narrowed else f"{category.name.lower()} products"
                intro = f"We don't have anything matching “{' '.join(missing)}”. Here are the {what} we do carry:"
            within = [p for p in kind if cap is None or p.price <= cap]
            # "headphones under 100": their substitutes within the budget (the $89 earbuds), not nothing
            nearby = [] if within or not narrowed or cap is None else [
                p for p in dict.fromkeys(catalog.get(s) for k in kind for s in k.substitutes)
                if p is not None and p not in kind and p.price <= cap]
            if nearby:
                within = nearby
                intro = f"No {plural(typed)} cost {catalog.format_price(cap)} or less; these do the same job:"
            elif not within:
                within = [min(kind, key=lambda p: p.price)]
                intro = (f"Nothing there costs {catalog.format_price(cap)} or less; the lowest price is "
                         f"{catalog.format_price(within[0].price)}:")
            shown = sorted(within, key=lambda p: not p.in_stock)[:MAX_CARDS]
        else:
            # "what do you sell", "what kinda stuff do u guys have": no product word, the departments
            # ("something to keep my tea warm on the desk": the desk is where, not what)
            wanted = without_places(text)
            query = None if text.startswith("/") or not content_tokens(wanted) else in_our_words(wanted)
            cap = budget_cap(tracker, text)
            if cap and (not names_something(without_spans(text, cap_spans(text)))
                        or {t for t in content_tokens(without_spans(text, cap_spans(text))) if not any(c.isdigit() for c in t)}
                        <= _just_a_budget()):
                query = None  # "under 40 dollars what do you have", "gift ideas ~50": anything within the budget
            capped = catalog.search(query=query, max_price=cap, limit=MAX_CARDS) if cap else []
            shown = capped or catalog.search(query=query, limit=MAX_CARDS)
            if shown and asked_thing_missing(catalog, text, shown):
                shown = []  # "do you sell mini fridges": "mini" cards are no answer to a fridge
            if not shown:
                names = ", ".join(c.name for c in catalog.categories)
                asked = typed_content_words(asked_thing(text) or query)  # "do you have the ps5": say what we don't carry
                lead = (f"We don't carry anything matching “{' '.join(asked)}”." if 0 < len(asked) <= MAX_NAMED_WORDS
                        else "I couldn't find a product matching that.")
                kind, ours = carried_instead(catalog, text)  # "got any iphones": not those, but our smartphones
                if ours:
                    shown = ours[:MAX_CARDS]
                    dispatcher.utter_message(text=f"{lead} Here are the {plural(kind)} we do carry:",
                                             json_message=live_cards(shown, catalog))
                    return shown_events(shown)
                dispatcher.utter_message(
                    text=f"{lead} We carry: {names}. What are you looking for?",
                    buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'}
                             for c in catalog.categories[:6]],
                )
                return []
            if query is None and not cap:
                dispatcher.utter_message(
                    text="What are you looking for? Here are our departments:",
                    buttons=[{"title": c.name, "payload": f'/search_product{{"category":"{c.id}"}}'}
                             for c in catalog.categories],
                )
                return []
            if cap and query is None and capped:
                intro = f"Some of what we have for {catalog.format_price(cap)} or less:"
            elif cap and query is None:
                shown = sorted(catalog.products, key=lambda p: p.price)[:MAX_CARDS]
                intro = f"Nothing costs {catalog.format_price(cap)} or less; our lowest prices:"
            elif cap and not capped and (catalog.unmatched(query, shown[0]) or catalog.only_described(query, shown[0])) \
                    and catalog.search(max_price=cap, limit=1):
                # "a present for a man who has everything, budget about 50": nothing named matches, so
                # what the budget buys (not dearer cards that share a word)
                shown = catalog.search(max_price=cap, limit=MAX_CARDS)
                intro = f"I don't have exactly that for {catalog.format_price(cap)} or less; some of what I have at that price:"
            elif cap and not capped:
                intro = f"Nothing that matches costs {catalog.format_price(cap)} or less; the closest I have:"
            elif catalog.unmatched(query, shown[0]) or catalog.only_described(query, shown[0]):  # "washing machines", "bikes"
                thing = asked_thing(text)  # "do you sell TVs? a 55 inch one": a plain no, named
                intro = (f"We don't carry “{thing}”; these come closest:" if thing and len(thing.split()) <= MAX_NAMED_WORDS
                         and (catalog.missing_from(thing, shown) or catalog.only_described(thing, shown[0]))
                         else "I don't have exactly that; these come closest:")
            else:
                intro = "Here's what I found:"
        advised = advise_by_use(dispatcher, tracker, shown) if category is not None else None  # "best laptop for video editing"
        if advised is not None:
            return advised
        dispatcher.utter_message(text=intro, json_message=live_cards(shown, catalog))
        return shown_events(shown)


# "gift ideas under 50 dollars", "a gift for my 12 year old son, around 50 bucks": a budget, nothing named
_JUST_A_BUDGET = frozenset("""gift gifts present presents idea ideas something anything stuff things thing recommend
recommendation recommendations suggest suggestion suggestions option options teen teens teenager son daughter kid kids
child children mom mum mother dad father wife husband friend friends boyfriend girlfriend brother sister grandma grandpa
man woman guy girl boy person everything birthday christmas xmas year years old looking need want buy get good nice
cool ngl lowkey fr someone spend budget find help told staff team employees colleagues coworkers workers office
boss clients guests teacher teachers each per like small little niece nephew grandson granddaughter grandchildren
grandkids aunt uncle cousin neighbour neighbor holiday holidays anniversary valentine valentines wedding housewarming
secret santa stocking stuffer stuffers hiya hey hi hello max maximum tops roughly around yo yr yrs turning turns age aged
shopping really""".split())

@functools.lru_cache(maxsize=1)
def _just_a_budget() -> frozenset:
    """Those words as typed and as the search stems them ("xmas" -> "xma"), worked out once."""
    return _JUST_A_BUDGET | frozenset(content_tokens(" ".join(_JUST_A_BUDGET)))


def colour_answer(dispatcher: CollectingDispatcher, catalog, product, colour: Text) -> List[Dict[Text, Any]]:
    """A product asked for in a colour we don't sell it in: its own colour, and a button to add it."""
    dispatcher.utter_message(
        text=f"The {product.name} comes in {product.attributes.get('color')}; we don't have it in {colour}. Want me to add it?",
        buttons=[{"title": f"Add the {product.name}", "payload": f'/add_to_cart{{"product":"{product.name}"}}'},
                 {"title": "No thanks", "payload": "/deny"}])
    return shown_events([product])


_IT = re.compile(r"\b(?:it|this|this\s+one|that\s+one|mine)\b", re.IGNORECASE)


def compare_if_asked(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"The aria or the aria pro, which is better?": the products side by side with their cards,
    whichever intent the question was read as (search, price, alternatives, a KB question, a
    low-confidence guess). None when the message does not name two products and ask how they differ."""
    res = resources.get()
    in_view = res.catalog.get(tracker.get_slot("last_product") or "") if len(entity_values(tracker, "product")) == 1 \
        and _IT.search(latest_text(tracker)) else None  # "compare it w the nimbus 16 pro": it is the one on screen
    if len(entity_values(tracker, "product")) < 2 and in_view is None:  # cheap check first: most name one or none
        # "compare the tempo watch and the fit band": names the tagger missed, looked up part by part
        products = products_compared(res.catalog, latest_text(tracker))
        if not products:
            return _which_of_shown(dispatcher, tracker)
    else:
        products = named_products(tracker, res.catalog)
        products = [in_view] + [p for p in products if p.sku != in_view.sku] if in_view is not None else products
    if len(products) < 2:
        return None
    gap = price_difference(latest_text(tracker), products, res.catalog.currency)  # "price diff between the x and the max?"
    if gap:
        dispatcher.utter_message(text=gap)
        return shown_events(products)
    advised = advise_by_use(dispatcher, tracker, products)  # "which is better for running, the X or the Y?"
    if advised is not None or not asks_to_compare(latest_text(tracker), products):
        return advised
    shown = live_all(res.engine, products[:MAX_COMPARED])
    dispatcher.utter_message(text=comparison_text(shown, res.catalog.currency),
                             json_message=cards_message(shown, res.catalog.currency))
    return shown_events(shown)


def _which_of_shown(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """"Which is lighter?" right after two or three products were compared or shown, naming none:
    answered from their catalog attributes; "compare the two" / "which should i get": them side by
    side. None for anything else."""
    if entity_values(tracker, "product") or entity_values(tracker, "category"):
        return None  # "which is the cheapest laptop" searches the catalog, not the cards on screen
    res = resources.get()
    shown = [p for p in (res.catalog.get(s) for s in (tracker.get_slot("last_shown") or [])) if p is not None]
    if not 2 <= len(shown) <= MAX_COMPARED:
        return None
    shown = at_price_end(latest_text(tracker), shown)  # "compare the two cheapest": those two
    if names_a_position(latest_text(tracker)):  # "compare the first two", "the 1st and the 3rd"
        picked = resolve_reference(latest_text(tracker), Shown.all_of(shown)).skus
        shown = [p for p in shown if p.sku in picked] if len(picked) >= 2 else shown
    answer = price_difference(latest_text(tracker), shown, res.catalog.currency) or which_is(
        latest_text(tracker), shown, res.catalog.currency)  # "ok and price diff?" after the two
    advised = advise_by_use(dispatcher, tracker, shown) if answer is None else None  # "which is better for travel?"
    if advised is not None:
        return advised
    if answer is None and asks_to_compare(latest_text(tracker), shown):  # "compare the two": side by side
        shown = live_all(res.engine, shown)
        dispatcher.utter_message(text=comparison_text(shown, res.catalog.currency),
                                 json_message=cards_message(shown, res.catalog.currency))
        return shown_events(shown)
    if answer is None:
        return None
    dispatcher.utter_message(text=answer)
    best = winner(latest_text(tracker), shown)
    return shown_events([best]) if best is not None else []  # "ADD IT" next means the one named


def live_cards(products, catalog) -> Dict[str, Any]:
    """Product cards with the stock the database has now (the catalog file only seeds it)."""
    return cards_message(live_all(resources.get().engine, products), catalog.currency)


def without_spans(text: Text, spans) -> Text:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


def shown_products(tracker: Tracker, catalog) -> List[Shown]:
    """The products last shown to the shopper, in order (``last_shown``; else ``last_product``)."""
    skus = shown_skus(tracker)  # a cross-sell offer declined is never "it"
    if not skus and tracker.get_slot("last_product"):
        skus = [tracker.get_slot("last_product")]
    if len(skus) == 1 and (says_both(latest_text(tracker)) or compares_price(latest_text(tracker))):
        # "how much is the aria pro", "and the nimbus 14", then "both together?" or "add the cheaper one"
        earlier = shown_before(tracker)
        if len(earlier) == 1 and earlier[0] != skus[0]:
            skus = earlier + skus
        elif len(earlier) == 2 and skus[0] in earlier:
            # "compare the first two", "which has the longer battery" (one shown), then "add both" or
            # "get me the cheaper one": of the two compared
            skus = earlier
    if len(skus) == 1 and names_a_position(latest_text(tracker)) and \
            (skus[0] == tracker.get_slot("upsell_sku") or skus[0] in shown_before(tracker)):
        # "add both" (two monitors), the cross-sell card, then "2 of the first one actually": the first
        # monitor, not the offer (a card alone has no "first"); so after four cards and a question about
        # the second, "I'll take the first one" is the first of the four
        earlier = shown_before(tracker)
        skus = earlier if len(earlier) > 1 else skus
    if says_other(latest_text(tracker)):  # "what about the other one": of those shown, not the one added or offered
        taken = {i["sku"] for i in normalize_cart(tracker.get_slot("cart"))} | {tracker.get_slot("upsell_sku")}
        others = [s for s in dict.fromkeys(shown_before(tracker) + skus) if s not in taken]
        skus = others if len(others) == 1 else skus
    products = [catalog.get(sku) for sku in skus if isinstance(sku, str)]
    return Shown.all_of(products)


def referred_products(tracker: Tracker, catalog) -> Tuple[List[Any], Resolution]:
    """The products the shopper means: named ones first, then a reference to those last shown
    ("add it", "the second one", "the cheaper one", "the lighter one", "both"). An unknown named
    product is never swapped for a shown one; an ambiguous reference comes back as a Resolution
    with a question."""
    products, _ = mentioned(tracker, catalog)
    if entity_values(tracker, "product") and products:
        return products, Resolution()
    if entity_values(tracker, "product"):
        return [], Resolution()
    text = latest_text(tracker)
    if not text.startswith("/"):
        shown = shown_products(tracker, catalog)
        kin = kin_by_word(text, shown, catalog)  # "get me the pro one instead" after the nimbus 14
        resolution = Resolution((kin.sku,)) if kin is not None else resolve_reference(text, shown)
        if resolution.question and len(shown) > 1:  # "the lighter one": a catalog attribute picks it
            best = best_by(text, [p for p in (catalog.get(s.sku) for s in shown) if p is not None])
            resolution = Resolution((best[0].sku,)) if best and len(best) == 1 else resolution
        if resolution.found or resolution.question:
            return [p for p in (catalog.get(s) for s in resolution.skus) if p is not None], resolution
    return products, Resolution()


def choice_buttons(resolution: Resolution, catalog, intent: Text, qty: Optional[int] = None) -> List[Dict[Text, Any]]:
    """One button per candidate of an ambiguous reference, re-sending ``intent`` with that product
    (and the quantity already asked for, so "add 2" then a pick adds 2)."""
    products = [p for p in (catalog.get(s) for s in resolution.choices) if p is not None]
    extra = f',"quantity":"{qty}"' if qty else ""
    return [{"title": p.name, "payload": f'/{intent}{{"product":"{p.sku}"{extra}}}'} for p in products]


def shown_events(products) -> List[Dict[Text, Any]]:
    """Slots recording the cards just shown, for references in the next turns."""
    products = list(products)
    return [SlotSet("last_shown", [p.sku for p in products])] + ([SlotSet("last_product", products[0].sku)] if products else [])


def answered_stock(dispatcher: CollectingDispatcher, tracker: Tracker, catalog) -> bool:
    """A stock question about the one product the message names, whatever intent it was read as
    ("how many of the skyline drone have you got left?" reads as a removal): answered with the
    database's stock. True when answered."""
    named = named_products(tracker, catalog)
    if len(named) != 1 or not asks_about_stock(latest_text(tracker)):
        return False
    dispatcher.utter_message(text=stock_answer(live_all(resources.get().engine, named)[0]))
    return True
